using System.Diagnostics;
using Chat.Api.Connections;
using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Protocol;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chat.Api.Apis;

/// <summary>
/// <c>GET /ws/chat/{room_id}?since=&amp;epoch=</c>: the seed's endpoint, now authenticated and
/// resumable. The handshake's checks run in the order docs/security.md gives: Origin (403, the
/// origin middleware) and token (401, authentication) before this handler; then request shape
/// (400), membership (403), the per-user limits (429) and the per-process cap (503) here.
/// </summary>
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
        RoomAccess access,
        Limits.RoomQuota roomQuota,
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
            return Problem(StatusCodes.Status401Unauthorized, "Invalid token", "The token carries no valid subject and name.");
        }

        // One script on the room's slot answers exists / private / member, and claims a missing
        // room so that nobody makes it private before this join; the quota is counted only then.
        RoomEntry entry;
        var checkAccessAtJoin = false;
        try
        {
            // Bounded like a send: a frozen Redis must not hold the handshake for the client library's whole timeout.
            entry = await access.EnterAsync(new RoomKeys(roomId), user).WaitAsync(services.Options.StoreTimeout);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // Without Redis the join fails with 1013 as it always did (the client resumes); should
            // Redis answer again by then, the join asks this question before sending anything.
            Log.RoomAccessUnavailable(services.Logger, roomId, ex);
            entry = RoomEntry.Allowed;
            checkAccessAtJoin = true;
        }

        if (entry == RoomEntry.NotMember)
        {
            Log.HandshakeRefused(services.Logger, roomId, StatusCodes.Status403Forbidden, "not a member");
            return Problem(StatusCodes.Status403Forbidden, "Not a member", "This room is private; its owner can add you.");
        }

        if (entry == RoomEntry.OverQuota)
        {
            Log.HandshakeRefused(services.Logger, roomId, StatusCodes.Status429TooManyRequests, "rooms per day");
            context.Response.Headers.RetryAfter = roomQuota.SecondsUntilRenewal.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status429TooManyRequests, "Too many new rooms",
                $"A user may create at most {roomQuota.PerDay} rooms per UTC day; joining a room that exists is not limited.");
        }

        var socketId = services.Instance.SocketId(context.TraceIdentifier);
        if (services.Limits.Enabled && !await TryTakeUserSocketAsync(services, user, socketId))
        {
            await AbandonNewRoomAsync(access, entry, roomId, user);
            Log.HandshakeRefused(services.Logger, roomId, StatusCodes.Status429TooManyRequests, "sockets per user");
            context.Response.Headers.RetryAfter = "5";
            return Problem(StatusCodes.Status429TooManyRequests, "Too many sockets",
                $"A user may hold at most {services.Limits.SocketsPerUser} sockets at once; close one first.");
        }

        try
        {
            // Checked last, so a request refused for what it is never holds a place.
            if (!services.Tracker.TryReserve(services.Limits.MaxSocketsPerProcess))
            {
                await AbandonNewRoomAsync(access, entry, roomId, user);
                context.Response.Headers.RetryAfter = "5";
                return Problem(StatusCodes.Status503ServiceUnavailable, "At capacity", "This server holds as many chat sockets as it may; retry shortly.");
            }

            try
            {
                var token = TokenTimes(context);
                ForgetHandshake(context);
                await RunSocketAsync(context, roomId, resumeFrom, epoch, user, token, checkAccessAtJoin, services);
            }
            finally
            {
                services.Tracker.Release();
            }
        }
        finally
        {
            if (services.Limits.Enabled)
            {
                await GiveBackUserSocketAsync(services, user, socketId);
            }
        }

        return TypedResults.Empty;
    }

    private static async Task RunSocketAsync(HttpContext context, string roomId, MessageId? resumeFrom, string? epoch, ChatUser user, (DateTime, DateTime) token, bool checkAccess, ChatConnectionServices services)
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
        using var connection = new ChatConnection(socket, user, new RoomKeys(roomId), context.TraceIdentifier, token, services,
            context.Features.Get<BatchWriteStream.UpgradeFeature>()?.Stream);
        await connection.RunAsync(resumeFrom, epoch, context.RequestAborted, checkAccess, ControlChannel.StampOf(context));
    }

    /// <summary>
    /// What the socket no longer needs of its handshake, which would otherwise live as long as the
    /// socket: the principal (see <see cref="KeptPrincipal.Forget"/>) and the parsed query, whose
    /// <c>access_token</c> is a copy of the token (about 0.9 KiB). Kestrel keeps the raw target
    /// and query string, the token in them, for the connection's life whatever we do.
    /// </summary>
    private static void ForgetHandshake(HttpContext context)
    {
        KeptPrincipal.Forget(context);
        context.Request.Query = QueryCollection.Empty;
    }

    /// <summary>When the handshake token was issued, and when it expires: the socket is closed then unless renewed.</summary>
    private static (DateTime IssuedAtUtc, DateTime ExpiresAtUtc) TokenTimes(HttpContext context) =>
        (UnixClaim(context, JwtRegisteredClaimNames.Iat) ?? DateTime.MinValue, UnixClaim(context, JwtRegisteredClaimNames.Exp) ?? DateTime.MaxValue);

    private static DateTime? UnixClaim(HttpContext context, string claim) =>
        long.TryParse(context.User.FindFirst(claim)?.Value, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime : null;

    /// <summary>A handshake refused after it claimed a new room gives the room and the quota back: refused requests write nothing.</summary>
    private static async Task AbandonNewRoomAsync(RoomAccess access, RoomEntry entry, string roomId, ChatUser user)
    {
        if (entry == RoomEntry.Created)
        {
            await access.AbandonAsync(new RoomKeys(roomId), user);
        }
    }

    private static async Task<bool> TryTakeUserSocketAsync(ChatConnectionServices services, ChatUser user, string socketId)
    {
        try
        {
            return await services.UserSockets.TryAcquireAsync(user, socketId);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // Without Redis the join fails with 1013 anyway; the count must not turn that into a 429.
            return true;
        }
    }

    private static async Task GiveBackUserSocketAsync(ChatConnectionServices services, ChatUser user, string socketId)
    {
        try
        {
            await services.UserSockets.ReleaseAsync(user, socketId);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // The lease lapses by itself within Limits:SocketLeaseTtl.
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status);
}
