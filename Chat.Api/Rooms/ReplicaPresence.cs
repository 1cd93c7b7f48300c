using System.Collections.Concurrent;
using Chat.Api.Connections;
using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;

namespace Chat.Api.Rooms;

/// <summary>
/// This replica's presence, off the message path: per room, how many sockets each subject has
/// open here, written to Redis as this replica life's absolute counts (<see cref="PresenceStore"/>)
/// on every join and leave, one room at a time (a per-room gate, so counts reach Redis in the
/// order they were taken). The life id names the replica and its process start, so a restarted
/// replica is a new life and its previous life's counts expire with the TTL. The heartbeat
/// (<see cref="PresenceHeartbeat"/>) renews each room's life and restores counts Redis lost.
/// Also the per-replica typing throttle, whose state lives with the room's counts.
/// </summary>
public sealed class ReplicaPresence(
    PresenceStore store,
    ServerInstance instance,
    TimeProvider time,
    IOptions<PresenceOptions> options,
    ILogger<ReplicaPresence> logger)
{
    private const int OrphanSweepBatch = 100;

    private readonly ConcurrentDictionary<string, RoomShare> _rooms = new(StringComparer.Ordinal);
    private volatile bool _stopped;

    /// <summary>This process's life: replica name, process id and start time (ms), unique across restarts.</summary>
    public ReplicaLife Life { get; } = new(instance.Id, Environment.ProcessId, time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>
    /// Counts one more socket of <paramref name="user"/> in the room; the user's first socket on any
    /// replica publishes a join. A failed write is retried by the next heartbeat.
    /// </summary>
    public async Task JoinAsync(RoomKeys room, ChatUser user)
    {
        while (true)
        {
            var share = _rooms.GetOrAdd(room.RoomId, static (_, state) => new RoomShare(state.Keys, new TypingThrottle(state.Time, state.Interval)),
                (Keys: room, Time: time, Interval: options.Value.TypingInterval));
            await share.Gate.WaitAsync();
            try
            {
                if (share.Retired)
                {
                    // Its last socket left between lookup and gate; the map holds its successor.
                    continue;
                }

                if (!share.Users.TryGetValue(user.Subject, out var entry))
                {
                    entry = new UserShare(user.Name);
                    share.Users[user.Subject] = entry;
                }

                entry.Sockets++;
                await WriteAsync(share, new PresenceCount(user.Subject, user.Name, entry.Sockets));
                return;
            }
            finally
            {
                share.Gate.Release();
            }
        }
    }

    /// <summary>Counts one socket of <paramref name="user"/> less; the user's last socket on any replica publishes a leave.</summary>
    public async Task LeaveAsync(RoomKeys room, ChatUser user)
    {
        if (!_rooms.TryGetValue(room.RoomId, out var share))
        {
            return;
        }

        await share.Gate.WaitAsync();
        try
        {
            if (share.Retired || !share.Users.TryGetValue(user.Subject, out var entry))
            {
                return;
            }

            entry.Sockets--;
            if (entry.Sockets <= 0)
            {
                share.Users.Remove(user.Subject);
                share.Typing.Forget(user.Subject);
            }

            if (share.Users.Count == 0)
            {
                // Retired before the write: should it fail, the life is no longer renewed in this
                // room, so its counts expire with the TTL and the sweep says goodbye instead.
                share.Retired = true;
                _rooms.TryRemove(KeyValuePair.Create(room.RoomId, share));
            }

            await WriteAsync(share, new PresenceCount(user.Subject, entry.Name, Math.Max(entry.Sockets, 0)));
        }
        finally
        {
            share.Gate.Release();
        }
    }

    /// <summary>
    /// Whether <paramref name="user"/>'s typing may go to Redis now: at most once per
    /// <c>Presence:TypingInterval</c> per room from this replica. This only spares Redis the calls;
    /// the turn key in the publishing script holds the interval across replicas.
    /// </summary>
    public bool TryTakeTypingTurn(RoomKeys room, ChatUser user) =>
        _rooms.TryGetValue(room.RoomId, out var share) && share.Typing.TryTake(user.Subject);

    /// <summary>
    /// The heartbeat: renews this life in every room it has sockets in (sweeping expired lives
    /// there), rewrites counts that a failed write or an expiry lost, and keeps the rooms indexed
    /// so that any replica sweeps them should this one die.
    /// </summary>
    public async Task RenewAsync()
    {
        var shares = _rooms.Values.ToArray();
        await Task.WhenAll(shares.Select(RenewAsync));
        await store.IndexAsync(shares.Select(s => s.Keys.RoomId).ToArray(), time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// Sweeps rooms that no replica renewed for the TTL: their replicas were killed, and nobody
    /// in them would notice. Forgets them once no life is left there.
    /// </summary>
    public async Task SweepOrphansAsync()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var roomId in await store.ExpiredRoomsAsync(now, OrphanSweepBatch))
        {
            var (lives, _, _) = await store.ReadAsync(new RoomKeys(roomId));
            if (lives == 0)
            {
                await store.ForgetRoomAsync(roomId, now);
            }
        }
    }

    /// <summary>
    /// A graceful stop, after the sockets closed (each said its own leave): removes what is left of
    /// this life in every room at once, so nobody waits for the TTL. Later writes are skipped.
    /// </summary>
    public async Task StopAsync()
    {
        _stopped = true;
        foreach (var share in _rooms.Values)
        {
            try
            {
                await store.DropAsync(share.Keys, Life.Id);
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                // Its users are swept after the TTL instead.
                Log.PresenceWriteFailed(logger, share.Keys.RoomId, ex);
            }
        }
    }

    private async Task RenewAsync(RoomShare share)
    {
        await share.Gate.WaitAsync();
        try
        {
            if (share.Retired || _stopped)
            {
                return;
            }

            if (!share.Dirty && await store.RenewAsync(share.Keys, Life.Id))
            {
                return;
            }

            if (!share.Dirty)
            {
                // Swept while alive: this replica was frozen or cut off for longer than the TTL.
                Log.PresenceRestored(logger, share.Keys.RoomId);
            }

            share.Dirty = false;
            await store.ApplyAsync(share.Keys, Life, Counts(share));
            share.Registered = true;
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            share.Dirty = true;
            Log.PresenceRenewFailed(logger, share.Keys.RoomId, ex);
        }
        finally
        {
            share.Gate.Release();
        }
    }

    /// <summary>Writes one count under the room's gate; a failure marks the room for the heartbeat to rewrite.</summary>
    private async Task WriteAsync(RoomShare share, PresenceCount count)
    {
        if (_stopped)
        {
            return;
        }

        try
        {
            if (!await store.ApplyAsync(share.Keys, Life, [count]))
            {
                return;
            }

            if (share.Registered)
            {
                // Registered before, yet new to Redis: this life was swept (the replica was frozen
                // or cut off past the TTL) and only this user's count came back. Restore the rest.
                Log.PresenceRestored(logger, share.Keys.RoomId);
                await store.ApplyAsync(share.Keys, Life, Counts(share));
            }

            // The room's first socket here: index it now, so that should this replica die
            // before its first heartbeat, its users are still swept.
            share.Registered = true;
            await store.IndexAsync([share.Keys.RoomId], time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            share.Dirty = true;
            Log.PresenceWriteFailed(logger, share.Keys.RoomId, ex);
            throw;
        }
    }

    private static List<PresenceCount> Counts(RoomShare share)
    {
        var counts = new List<PresenceCount>(share.Users.Count);
        foreach (var (subject, entry) in share.Users)
        {
            counts.Add(new PresenceCount(subject, entry.Name, entry.Sockets));
        }

        return counts;
    }

    /// <summary>A room's presence on this replica: who has how many sockets here, and when each last typed.</summary>
    private sealed class RoomShare(RoomKeys keys, TypingThrottle typing)
    {
        public RoomKeys Keys { get; } = keys;

        /// <summary>Held across the Redis write, so a room's counts reach Redis in the order they were taken.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Dictionary<string, UserShare> Users { get; } = new(StringComparer.Ordinal);

        /// <summary>Its own lock, so typing never waits for a presence write.</summary>
        public TypingThrottle Typing { get; } = typing;

        /// <summary>This life has been written to the room in Redis at least once.</summary>
        public bool Registered { get; set; }

        /// <summary>A write failed: the heartbeat rewrites every count of the room.</summary>
        public bool Dirty { get; set; }

        /// <summary>Its last socket left; joiners that still found it take its successor.</summary>
        public bool Retired { get; set; }
    }

    private sealed class UserShare(string name)
    {
        public string Name { get; } = name;

        public int Sockets { get; set; }
    }
}
