using System.Text.Json;
using Chat.Api.Diagnostics;
using Chat.Api.Extensions;
using Chat.Api.Identity;
using Chat.Api.Limits;
using Chat.Api.Protocol;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Chat.Api.Apis;

/// <summary>
/// <c>POST /api/rooms</c>: creates a room (private or public) owned by the caller;
/// <c>GET /api/rooms/{room_id}/messages</c>: pages of a room's history, for its members when it is
/// private. Members are managed in <see cref="RoomMembersApi"/>.
/// </summary>
public static class RoomsApi
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    public static IEndpointRouteBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/rooms").WithTags("Rooms").RequireAuthorization();

        api.MapPost("/", CreateRoomAsync)
            .Accepts<CreateRoomRequest>("application/json")
            .WithName("CreateRoom")
            .WithSummary("Creates a room owned by the caller; a private room admits only its members. 409 when the id is any room's.");

        api.MapGet("/{room_id}/messages", GetMessagesAsync)
            .WithName("GetRoomMessages")
            .WithSummary("Pages a room's history, oldest first. 'before' and 'after' are exclusive message ids.");

        return app;
    }

    public static async Task<Results<Created<CreatedRoom>, ProblemHttpResult>> CreateRoomAsync(
        HttpContext http,
        RoomAccess access,
        RoomQuota quota,
        RoomActivity activity,
        TimeProvider time,
        ILogger<RoomAccess> logger)
    {
        if (ChatUser.FromPrincipal(http.User) is not { } user)
        {
            return TypedResults.Problem(title: "Invalid token", statusCode: StatusCodes.Status401Unauthorized);
        }

        CreateRoomRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync(ChatJsonContext.Default.CreateRoomRequest, http.RequestAborted);
        }
        catch (JsonException ex)
        {
            // Read by hand, like AuthApi: a wrong type names its field, anything else the body.
            return ex.Path switch
            {
                "$.room_id" => Problems.Invalid("room_id", "room_id must be a string."),
                "$.private" => Problems.Invalid("private", "private must be true or false."),
                _ => Problems.Invalid("body", "The body must be a JSON object sent as application/json."),
            };
        }
        catch (InvalidOperationException)
        {
            return Problems.Invalid("body", "The body must be a JSON object sent as application/json.");
        }

        if (request is null)
        {
            return Problems.Invalid("body", "The body must be a JSON object sent as application/json.");
        }

        if (!RoomId.IsValid(request.RoomId))
        {
            return Problems.Invalid("room_id", $"room_id must match {RoomId.Pattern}.");
        }

        // Required rather than defaulted: a client that forgot it must not get a public room.
        if (request.Private is not { } isPrivate)
        {
            return Problems.Invalid("private", "private is required: true for a members-only room, false for a public one.");
        }

        try
        {
            switch (await access.CreateAsync(new RoomKeys(request.RoomId!), user, isPrivate))
            {
                case RoomCreation.Taken:
                    return Problems.Taken("room_id", "Room exists", "A room with this id exists already (public or private); pick another id.");
                case RoomCreation.OverQuota:
                    http.Response.Headers.RetryAfter = quota.SecondsUntilRenewal.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return TypedResults.Problem(
                        title: "Too many new rooms",
                        detail: $"A user may create at most {quota.PerDay} rooms per UTC day.",
                        statusCode: StatusCodes.Status429TooManyRequests);
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            return Problems.Unavailable();
        }

        // A new room (a private one has its owner as a member) is listed before anyone joins it.
        activity.Touch(new RoomKeys(request.RoomId!), time.GetUtcNow().UtcDateTime);
        Log.RoomCreated(logger, request.RoomId!, user.Subject, isPrivate);
        return TypedResults.Created(
            $"/api/rooms/{Uri.EscapeDataString(request.RoomId!)}/messages",
            new CreatedRoom(request.RoomId!, isPrivate));
    }

    public static async Task<Results<Ok<HistoryPage>, ProblemHttpResult>> GetMessagesAsync(
        HttpContext http,
        [FromRoute(Name = "room_id")] string roomId,
        [FromQuery] string? before,
        [FromQuery] string? after,
        [FromQuery] string? limit,
        MessageLog messageLog,
        RoomAccess access)
    {
        if (!RoomId.IsValid(roomId))
        {
            return Problems.Invalid("room_id", $"room_id must match {RoomId.Pattern}.");
        }

        MessageId? beforeId = null, afterId = null;
        if (before is not null)
        {
            if (!MessageId.TryParse(before, out var parsed))
            {
                return Problems.Invalid("before", "before must be a message id such as 1700000000000-0.");
            }

            beforeId = parsed;
        }

        if (after is not null)
        {
            if (!MessageId.TryParse(after, out var parsed))
            {
                return Problems.Invalid("after", "after must be a message id such as 1700000000000-0.");
            }

            afterId = parsed;
        }

        // Parsed here rather than bound as an int, so that "abc" gets the same ProblemDetails
        // naming the field as "0" does, instead of a binding failure.
        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize)
            || pageSize is < 1 or > MaxPageSize))
        {
            return Problems.Invalid("limit", $"limit must be between 1 and {MaxPageSize}.");
        }

        if (ChatUser.FromPrincipal(http.User) is not { } user)
        {
            return TypedResults.Problem(title: "Invalid token", statusCode: StatusCodes.Status401Unauthorized);
        }

        var room = new RoomKeys(roomId);
        try
        {
            if (!await access.MayReadAsync(room, user))
            {
                return TypedResults.Problem(title: "Not a member", detail: "This room is private; its owner can add you.", statusCode: StatusCodes.Status403Forbidden);
            }

            // One more than asked tells whether there is more in the paging direction.
            var messages = afterId is { } a
                ? await messageLog.ReadAfterAsync(room, a, beforeId, pageSize + 1)
                : beforeId is { } b
                    ? await messageLog.ReadBeforeAsync(room, b, pageSize + 1)
                    : await messageLog.ReadLatestAsync(room, pageSize + 1);

            var hasMore = messages.Count > pageSize;
            if (hasMore)
            {
                // Paging forward drops the newest extra; paging back drops the oldest.
                messages.RemoveAt(afterId is not null ? messages.Count - 1 : 0);
            }

            return TypedResults.Ok(new HistoryPage(messages, hasMore));
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            return Problems.Unavailable();
        }
    }
}

/// <summary>A page of history, oldest first; <see cref="HasMore"/> says whether paging on finds more.</summary>
public sealed record HistoryPage(IReadOnlyList<ChatMessage> Messages, bool HasMore);

/// <summary>The body of <c>POST /api/rooms</c>: <c>{"room_id":"…","private":true}</c>; <c>private</c> is required.</summary>
public sealed record CreateRoomRequest(string? RoomId, bool? Private);

/// <summary>The room <c>POST /api/rooms</c> created.</summary>
public sealed record CreatedRoom(string RoomId, bool Private);
