using Chat.Api.Connections;
using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Protocol;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Chat.Api.Apis;

/// <summary>
/// <c>PUT</c> and <c>DELETE /api/rooms/{room_id}/members/{username}</c>: a private room's owner
/// adds and removes members. A guest name stands for whoever holds it now (its live session), and
/// membership is stored by that subject, so a name given up and taken again is not a member.
/// Public rooms have no member list: changing it is 403 for everyone.
/// </summary>
public static class RoomMembersApi
{
    public static IEndpointRouteBuilder MapRoomMembersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/rooms/{room_id}/members").WithTags("Rooms").RequireAuthorization();

        api.MapPut("/{username}", AddMemberAsync)
            .WithName("AddRoomMember")
            .WithSummary("The owner of a private room admits the guest signed in under this name now.");

        api.MapDelete("/{username}", RemoveMemberAsync)
            .WithName("RemoveRoomMember")
            .WithSummary("The owner of a private room removes a member; their open sockets in the room close with 1008.");

        return app;
    }

    public static Task<Results<NoContent, ProblemHttpResult>> AddMemberAsync(
        HttpContext http,
        [FromRoute(Name = "room_id")] string roomId,
        [FromRoute(Name = "username")] string username,
        RoomAccess access,
        GuestSessions sessions,
        ControlChannel control,
        ILogger<RoomAccess> logger) =>
        ChangeAsync(http, roomId, username, add: true, access, sessions, control, logger);

    public static Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(
        HttpContext http,
        [FromRoute(Name = "room_id")] string roomId,
        [FromRoute(Name = "username")] string username,
        RoomAccess access,
        GuestSessions sessions,
        ControlChannel control,
        ILogger<RoomAccess> logger) =>
        ChangeAsync(http, roomId, username, add: false, access, sessions, control, logger);

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangeAsync(
        HttpContext http,
        string roomId,
        string username,
        bool add,
        RoomAccess access,
        GuestSessions sessions,
        ControlChannel control,
        ILogger logger)
    {
        if (ChatUser.FromPrincipal(http.User) is not { } owner)
        {
            return TypedResults.Problem(title: "Invalid token", statusCode: StatusCodes.Status401Unauthorized);
        }

        if (!RoomId.IsValid(roomId))
        {
            return Problems.Invalid("room_id", $"room_id must match {RoomId.Pattern}.");
        }

        if (!ChatUser.TryValidateGuestName(username, out var error))
        {
            return Problems.Invalid("username", error);
        }

        var room = new RoomKeys(roomId);
        try
        {
            // The name is resolved first (its session is on another slot); the room's script
            // then checks room and owner before it says whether the name was anyone's.
            var member = await sessions.HolderAsync(username);
            var change = add
                ? await access.AddMemberAsync(room, owner, member)
                : await access.RemoveMemberAsync(room, owner, member);
            switch (change)
            {
                case MemberChange.UnknownRoom:
                    return TypedResults.Problem(title: "Unknown room", detail: "No room has this id.", statusCode: StatusCodes.Status404NotFound);
                case MemberChange.PublicRoom:
                    return TypedResults.Problem(title: "Public room", detail: "A public room has no member list; anyone may join it.", statusCode: StatusCodes.Status403Forbidden);
                case MemberChange.NotOwner:
                    return TypedResults.Problem(title: "Not the owner", detail: "Only the room's owner manages its members.", statusCode: StatusCodes.Status403Forbidden);
                case MemberChange.UnknownUser:
                    return TypedResults.Problem(title: "Unknown user", detail: "Nobody is signed in under this name.", statusCode: StatusCodes.Status404NotFound);
                case MemberChange.OwnerCannotLeave:
                    return TypedResults.Problem(title: "Owner cannot leave", detail: "The owner is always a member of their room.", statusCode: StatusCodes.Status409Conflict);
            }

            if (add)
            {
                Log.MemberAdded(logger, roomId, member!);
            }
            else
            {
                // Also when the subject was not a member: the notice is idempotent. A handshake whose
                // check ran just before the removal sees the notice count move and checks again
                // once its socket is registered (ControlChannel.Notices).
                await control.PublishRemovalAsync(roomId, member!);
                Log.MemberRemoved(logger, roomId, member!);
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            return Problems.Unavailable();
        }

        return TypedResults.NoContent();
    }
}
