using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Chat.Api.Connections;

/// <summary>
/// Accepts an HTTP/1.1 WebSocket upgrade (RFC 6455 §4.2.2) onto a <see cref="CoalescingStream"/>.
/// ASP.NET Core's AcceptWebSocketAsync would hide the stream; we need it to batch writes.
/// </summary>
public static class WebSocketUpgrade
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Largest run of frames written with one socket write.</summary>
    private const int MaxBatchBytes = 64 * 1024;

    /// <summary>False when the request is not an upgrade this server can take (the caller answers 400).</summary>
    public static bool CanAccept(HttpContext context) =>
        context.WebSockets.IsWebSocketRequest
        && context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
        && context.Request.Headers.SecWebSocketKey.Count == 1;

    public static async Task<(WebSocket Socket, CoalescingStream Stream)> AcceptAsync(HttpContext context, TimeSpan keepAliveInterval)
    {
        var key = context.Request.Headers.SecWebSocketKey.ToString();
#pragma warning disable CA5350 // RFC 6455 defines the accept value with SHA-1; it is not used for security here.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
#pragma warning restore CA5350
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = accept;

        var opaque = await context.Features.GetRequiredFeature<IHttpUpgradeFeature>().UpgradeAsync();
        var stream = new CoalescingStream(opaque, MaxBatchBytes);
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = keepAliveInterval,
        });
        return (socket, stream);
    }
}
