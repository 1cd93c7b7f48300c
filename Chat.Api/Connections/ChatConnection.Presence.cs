using Chat.Api.Diagnostics;
using Chat.Api.Protocol;
using Chat.Api.Storage;

namespace Chat.Api.Connections;

/// <summary>
/// The presence half of a connection, off the message path: after its history the socket counts
/// in the room's presence (a join event for others if it is the user's first socket anywhere),
/// then gets the snapshot, read after its own join so that it lists itself; at the end it counts
/// out again. And <c>typing</c>, forwarded within the per-replica throttle.
/// </summary>
public sealed partial class ChatConnection
{
    // This socket's count-in, once started: the end awaits it before counting out, so that a
    // count-in that outlived its timeout (a slow Redis) can never land after the count-out.
    private Task? _presenceJoin;

    private async Task JoinPresenceAsync()
    {
        _member.BeginPresence();
        byte[]? snapshot = null;
        try
        {
            _presenceJoin = _services.Presence.JoinAsync(_room, _user);
            await _presenceJoin.WaitAsync(_services.Options.StoreTimeout);
            // Counted in: the finished join's task would keep its state machine for the socket's life.
            _presenceJoin = Task.CompletedTask;
            var (_, users, _) = await _services.PresenceStore.ReadAsync(_room).WaitAsync(_services.Options.StoreTimeout);
            snapshot = ServerFrames.Presence(users);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // The chat works without it; the heartbeat rewrites the count, and events still flow.
            Log.PresenceSnapshotFailed(_services.Logger, _room.RoomId, ex);
        }

        _member.CompletePresence(snapshot);
    }

    private async Task LeavePresenceAsync()
    {
        if (_presenceJoin is not { } join)
        {
            return;
        }

        // Its failure was logged when it happened; it ends when the client library gives up at the latest.
        await join.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await _services.Presence.LeaveAsync(_room, _user).WaitAsync(_services.Options.StoreTimeout);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // Logged by the write; the count is rewritten by the heartbeat or expires with the TTL.
        }
    }

    /// <summary><c>{"type":"typing"}</c>: published for the other members unless this user typed here within the throttle; never an error.</summary>
    private async Task ForwardTypingAsync()
    {
        if (_presenceJoin is null || !_services.Presence.TryTakeTypingTurn(_room, _user))
        {
            return;
        }

        try
        {
            await _services.PresenceStore.PublishTypingAsync(_room, _user.Subject, _user.Name).WaitAsync(_services.Options.StoreTimeout);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // Typing is ephemeral: a lost one is not worth an error frame.
        }
    }
}
