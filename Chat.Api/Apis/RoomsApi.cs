using Chat.Api.Protocol;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Chat.Api.Apis;

/// <summary><c>GET /api/rooms/{room_id}/messages</c>: pages of a room's history.</summary>
public static class RoomsApi
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    public static IEndpointRouteBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/rooms").WithTags("Rooms").RequireAuthorization();

        api.MapGet("/{room_id}/messages", GetMessagesAsync)
            .WithName("GetRoomMessages")
            .WithSummary("Pages a room's history, oldest first. 'before' and 'after' are exclusive message ids.");

        return app;
    }

    public static async Task<Results<Ok<HistoryPage>, ProblemHttpResult>> GetMessagesAsync(
        [FromRoute(Name = "room_id")] string roomId,
        [FromQuery] string? before,
        [FromQuery] string? after,
        [FromQuery] string? limit,
        MessageLog messageLog)
    {
        if (!RoomId.IsValid(roomId))
        {
            return BadRequest("room_id", $"room_id must match {RoomId.Pattern}.");
        }

        MessageId? beforeId = null, afterId = null;
        if (before is not null)
        {
            if (!MessageId.TryParse(before, out var parsed))
            {
                return BadRequest("before", "before must be a message id such as 1700000000000-0.");
            }

            beforeId = parsed;
        }

        if (after is not null)
        {
            if (!MessageId.TryParse(after, out var parsed))
            {
                return BadRequest("after", "after must be a message id such as 1700000000000-0.");
            }

            afterId = parsed;
        }

        // Parsed here rather than bound as an int, so that "abc" gets the same ProblemDetails
        // naming the field as "0" does, instead of a binding failure.
        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize)
            || pageSize is < 1 or > MaxPageSize))
        {
            return BadRequest("limit", $"limit must be between 1 and {MaxPageSize}.");
        }

        var room = new RoomKeys(roomId);
        try
        {
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
            return TypedResults.Problem(
                title: "Chat storage unavailable",
                detail: "Redis did not answer; retry shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static ProblemHttpResult BadRequest(string field, string detail) =>
        TypedResults.Problem(
            title: "Invalid request",
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["field"] = field });
}

/// <summary>A page of history, oldest first; <see cref="HasMore"/> says whether paging on finds more.</summary>
public sealed record HistoryPage(IReadOnlyList<ChatMessage> Messages, bool HasMore);
