using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// The write side of the rooms directory (<see cref="RoomDirectory"/> reads it): every message,
/// join, leave and creation moves its room's score in the global index to that moment. It sits
/// beside the message path, not on it: one fire-and-forget <c>ZADD GT</c> issued on the shared
/// multiplexer just before the room's append (or join) script, so it travels in the same write and,
/// on a single Redis, is applied before the script whose answer acks the message. Nothing waits
/// for it and its failures are dropped: the directory is a view, and the next activity repairs it.
/// The index key is global, not the room's, so it can never be inside the room's script on a Cluster.
/// </summary>
public sealed class RoomActivity(IConnectionMultiplexer redis)
{
    /// <summary>
    /// Records activity in <paramref name="room"/> at <paramref name="atUtc"/>. <c>GT</c>: a replica
    /// whose clock lags, or a write that arrives late, never moves a room back.
    /// </summary>
    public void Touch(RoomKeys room, DateTime atUtc)
    {
        var score = (double)((atUtc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond);
        try
        {
            // The async form, fire-and-forget: it never blocks this thread on the connection's
            // write lock (a busy writer sends it to the backlog, in order, ahead of the append),
            // and it answers with a cached completed task, no reply parsed. The room id is already
            // a string: nothing of ours is allocated.
            var pending = redis.GetDatabase().SortedSetAddAsync(
                UserKeys.RoomActivity, room.RoomId, score, SortedSetWhen.GreaterThan, CommandFlags.FireAndForget);
            if (!pending.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(pending);
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // No connection to queue it on: the append or join beside it reports the outage.
        }
    }

    /// <summary>The rare write that could not be queued at once: its failure is dropped, not left unobserved.</summary>
    private static async Task ObserveAsync(Task pending)
    {
        try
        {
            await pending;
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex) || ex is RedisException)
        {
            // The next activity in the room writes its score again.
        }
    }
}
