using System.Diagnostics;
using Chat.Api.Connections;
using Chat.Api.Identity;
using Chat.Api.Protocol;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Chat.Api.Apis;

/// <summary><c>GET /ws/chat/{room_id}?since=&amp;epoch=</c>: the seed's endpoint, now authenticated and resumable.</summary>
public static class ChatSocketApi
{
    public static IEndpointRouteBuilder MapChatSocketApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws/chat/{room_id}", ConnectAsync)
            .WithName("ChatSocket")
            .WithTags("Chat")
            .WithSummary("Upgrades to the chat WebSocket for one room; see docs/protocol.md.")
            .RequireAuthorization();

        return app;
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ConnectAsync(
        HttpContext context,
        [FromRoute(Name = "room_id")] string roomId,
        [FromQuery] string? since,
        [FromQuery] string? epoch,
        ChatConnectionServices services)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problem(StatusCodes.Status400BadRequest, "WebSocket required", "This endpoint only accepts WebSocket upgrades.");
        }

        if (!RoomId.IsValid(roomId))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid room_id", $"room_id must match {RoomId.Pattern}.");
        }

        MessageId? resumeFrom = null;
        if (since is not null)
        {
            if (!MessageId.TryParse(since, out var parsed))
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid since", "since must be a message id such as 1700000000000-0.");
            }

            resumeFrom = parsed;
        }

        if (epoch is not null && !Epoch.IsValid(epoch))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid epoch", $"epoch must match {Epoch.Pattern}.");
        }

        if (ChatUser.FromPrincipal(context.User) is not { } user)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Invalid token", "The token carries no valid username.");
        }

        // Checked last, so a request refused for what it is never holds a place.
        if (!services.Tracker.TryReserve(services.Limits.MaxSocketsPerProcess))
        {
            context.Response.Headers.RetryAfter = "5";
            return Problem(StatusCodes.Status503ServiceUnavailable, "At capacity", "This server holds as many chat sockets as it may; retry shortly.");
        }

        try
        {
            await RunSocketAsync(context, roomId, resumeFrom, epoch, user, services);
        }
        finally
        {
            services.Tracker.Release();
        }

        return TypedResults.Empty;
    }

    private static async Task RunSocketAsync(HttpContext context, string roomId, MessageId? resumeFrom, string? epoch, ChatUser user, ChatConnectionServices services)
    {
        // The request's activity would span the whole connection, and Redis instrumentation would
        // collect every command the connection issues under it until the socket closes.
        Activity.Current = null;

        context.Response.Headers[ServerInstance.HeaderName] = services.Instance.Id;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = services.Options.KeepAliveInterval,
            KeepAliveTimeout = services.Options.KeepAliveTimeout,
        });
        using var connection = new ChatConnection(socket, user, new RoomKeys(roomId), context.TraceIdentifier, services);
        await connection.RunAsync(resumeFrom, epoch, context.RequestAborted);
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status);
}
