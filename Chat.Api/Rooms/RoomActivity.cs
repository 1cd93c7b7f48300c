using System.Collections.Concurrent;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// The write side of the rooms directory (<see cref="RoomDirectory"/> reads it): messages, joins,
/// leaves and creations move their room's score in the global index to that moment. It sits beside
/// the message path, not on it: a fire-and-forget <c>ZADD GT</c> issued on the shared multiplexer
/// just before the room's append (or join) script. Nothing waits for it and its failures are
/// dropped: the directory is a view, and the next activity repairs it. The index key is global,
/// not the room's, so it can never be inside the room's script on a Cluster.
/// <para>
/// A room is written at most once per <c>Chat:DirectoryWriteInterval</c> on each replica: the
/// first activity after a quiet spell at once (so a new or newly active room shows without
/// delay), the latest of the ones held back by <see cref="Flush"/>, which the replica's
/// once-a-second upkeep calls. A busy room then costs one index write a second instead of one per
/// message: that extra command per message cost about a fifth of closed-loop throughput
/// (docs/benchmarks.md).
/// </para>
/// </summary>
public sealed class RoomActivity(IConnectionMultiplexer redis, IOptions<ChatOptions> options)
{
    /// <summary>A room this replica has written recently, and the activity it holds back.</summary>
    private sealed class Mark
    {
        public long WrittenMs;
        public long HeldMs;
    }

    /// <summary>Rooms not written for this long and holding nothing are forgotten.</summary>
    private const long ForgetAfterMs = 60_000;

    private readonly long _intervalMs = (long)options.Value.DirectoryWriteInterval.TotalMilliseconds;
    private readonly ConcurrentDictionary<string, Mark> _marks = new(StringComparer.Ordinal);

    /// <summary>Rooms this replica remembers (for tests and diagnostics).</summary>
    internal int RememberedRooms => _marks.Count;

    /// <summary>
    /// Records activity in <paramref name="room"/> at <paramref name="atUtc"/>. <c>GT</c>: a replica
    /// whose clock lags, or a write that arrives late, never moves a room back.
    /// </summary>
    public void Touch(RoomKeys room, DateTime atUtc)
    {
        var atMs = ToUnixMs(atUtc);
        if (_intervalMs == 0)
        {
            Write(room.RoomId, atMs);
            return;
        }

        // One Mark per room and replica, made on its first activity; nothing per message.
        var mark = _marks.GetOrAdd(room.RoomId, static _ => new Mark());
        lock (mark)
        {
            if (atMs - mark.WrittenMs < _intervalMs)
            {
                mark.HeldMs = Math.Max(mark.HeldMs, atMs);
                return;
            }

            mark.WrittenMs = atMs;
            mark.HeldMs = 0;
        }

        Write(room.RoomId, atMs);
    }

    /// <summary>
    /// Writes each room's held-back activity once its interval has passed, and forgets rooms that
    /// have been quiet for a minute. Called once a second by the replica's upkeep.
    /// </summary>
    public void Flush(DateTime nowUtc)
    {
        var nowMs = ToUnixMs(nowUtc);
        foreach (var (roomId, mark) in _marks)
        {
            long held;
            lock (mark)
            {
                held = mark.HeldMs;
                if (held == 0)
                {
                    if (nowMs - mark.WrittenMs > ForgetAfterMs)
                    {
                        // Under the lock, so a Touch racing this sees an idle room and writes at once.
                        _marks.TryRemove(new KeyValuePair<string, Mark>(roomId, mark));
                    }

                    continue;
                }

                if (nowMs - mark.WrittenMs < _intervalMs)
                {
                    continue;
                }

                mark.WrittenMs = nowMs;
                mark.HeldMs = 0;
            }

            Write(roomId, held);
        }
    }

    private static long ToUnixMs(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    private void Write(string roomId, long atMs)
    {
        try
        {
            // The async form, fire-and-forget: it never blocks this thread on the connection's
            // write lock (a busy writer sends it to the backlog, in order, ahead of the append),
            // and it answers with a cached completed task, no reply parsed. The room id is already
            // a string: nothing of ours is allocated.
            var pending = redis.GetDatabase().SortedSetAddAsync(
                UserKeys.RoomActivity, roomId, atMs, SortedSetWhen.GreaterThan, CommandFlags.FireAndForget);
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
