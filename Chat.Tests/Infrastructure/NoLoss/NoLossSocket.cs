using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// One chat socket of a resilient client: the upgrade (with <c>since</c> and <c>epoch</c> on a
/// resume), whole frames read into a reused buffer, and how the socket ended. A client that
/// loses its socket opens a new one; this class never reconnects by itself.
/// </summary>
internal sealed class NoLossSocket : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket _socket = new();
    private byte[] _buffer = new byte[64 * 1024];

    public NoLossSocket(string token)
    {
        // Without this a refused upgrade shows no HTTP status, and a 400 would look like a network blip.
        _socket.Options.CollectHttpResponseDetails = true;
        _socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
    }

    /// <summary>The upgrade's HTTP status; after a failed connect, whether the server refused it.</summary>
    public HttpStatusCode HttpStatusCode => _socket.HttpStatusCode;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseStatusDescription => _socket.CloseStatusDescription;

    public static Uri SocketUri(Uri apiUri, string room, string? since, string? epoch)
    {
        var query = since is null ? "" : "since=" + Uri.EscapeDataString(since);
        if (since is not null && epoch is not null)
        {
            query += "&epoch=" + Uri.EscapeDataString(epoch);
        }

        return new UriBuilder(apiUri)
        {
            Scheme = apiUri.Scheme == "https" ? "wss" : "ws",
            Path = "/ws/chat/" + Uri.EscapeDataString(room),
            Query = query,
        }.Uri;
    }

    public async Task ConnectAsync(Uri uri, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(ConnectTimeout);
        await _socket.ConnectAsync(uri, timeout.Token);
    }

    /// <summary>
    /// The next whole frame, or null once the server's close frame arrived. The document reads
    /// this socket's buffer: dispose it before receiving again. Cancelling aborts the socket.
    /// </summary>
    public async Task<JsonDocument?> ReceiveAsync(CancellationToken stop)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), stop);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(_buffer.AsMemory(0, length));
            }
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Frame, CancellationToken stop) =>
        _socket.SendAsync(utf8Frame, WebSocketMessageType.Text, endOfMessage: true, stop);

    /// <summary>Drops the TCP connection without a close frame, as a crashed client or a cut cable would.</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Sends a normal close; the receive loop then reads on until the server's answer.</summary>
    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket broke first; the receive loop sees that.
        }
    }

    public ValueTask DisposeAsync()
    {
        // Abort rather than a close handshake: everything that needed reading has been read.
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
