using Chat.Api.Identity;
using Chat.Api.Protocol;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Chat.Api.Apis;

/// <summary>
/// <c>GET /api/rooms/{room_id}/presence</c>: who is online in a room, on any replica; the same list
/// a joining member gets in its <c>presence</c> frame. Private rooms answer their members only.
/// </summary>
public static class PresenceApi
{
    public static IEndpointRouteBuilder MapPresenceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/rooms/{room_id}/presence", GetPresenceAsync)
            .RequireAuthorization()
            .WithTags("Rooms")
            .WithName("GetRoomPresence")
            .WithSummary("The display names of everyone connected to the room on any replica, sorted case-insensitively.");

        return app;
    }

    public static async Task<Results<Ok<OnlineUsers>, ProblemHttpResult>> GetPresenceAsync(
        HttpContext http,
        [FromRoute(Name = "room_id")] string roomId,
        RoomAccess access,
        PresenceStore presence)
    {
        if (!RoomId.IsValid(roomId))
        {
            return Problems.Invalid("room_id", $"room_id must match {RoomId.Pattern}.");
        }

        if (ChatUser.FromPrincipal(http.User) is not { } user)
        {
            return TypedResults.Problem(title: "Invalid token", statusCode: StatusCodes.Status401Unauthorized);
        }

        var room = new RoomKeys(roomId);
        try
        {
            // The same check as the history endpoint: a private room's presence is its members' business.
            if (!await access.MayReadAsync(room, user))
            {
                return TypedResults.Problem(title: "Not a member", detail: "This room is private; its owner can add you.", statusCode: StatusCodes.Status403Forbidden);
            }

            var (_, users, _) = await presence.ReadAsync(room);
            return TypedResults.Ok(new OnlineUsers(users));
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            return Problems.Unavailable();
        }
    }
}

/// <summary><c>{"users":[...]}</c>: display names, sorted case-insensitively.</summary>
public sealed record OnlineUsers(IReadOnlyList<string> Users);
