using System.Net;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Tests.Infrastructure;

/// <summary>Which master of a Redis Cluster serves a room, from the hash slot of the room's keys.</summary>
internal static class ClusterShards
{
    /// <summary>The cluster's masters as the client sees them, ordered by endpoint.</summary>
    public static List<ClusterNode> Masters(IConnectionMultiplexer redis)
    {
        var configuration = redis.GetServer(redis.GetEndPoints()[0]).ClusterConfiguration
            ?? throw new InvalidOperationException("The Redis connection is not to a cluster.");
        return configuration.Nodes.Where(n => !n.IsReplica).OrderBy(n => n.EndPoint?.ToString(), StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// One fresh room per master, each room's slot served by that master. The slot is the one of
    /// the room's stream key (<see cref="RoomKeys.Messages"/>); every key and the channel of a room
    /// share it through the <c>{room}</c> hash tag.
    /// </summary>
    public static List<(EndPoint Master, string Room)> RoomPerMaster(IConnectionMultiplexer redis, string prefix)
    {
        var masters = Masters(redis);
        var configuration = redis.GetServer(redis.GetEndPoints()[0]).ClusterConfiguration!;
        var rooms = new Dictionary<EndPoint, string>();
        // Each master holds about a third of the slots, so a handful of guesses finds all of them;
        // the bound only stops a broken cluster (unassigned slots) from looping forever.
        for (var attempt = 0; attempt < 1000 && rooms.Count < masters.Count; attempt++)
        {
            var room = TestRooms.New(prefix);
            var slot = redis.HashSlot(new RoomKeys(room).Messages);
            if (configuration.GetBySlot(slot)?.EndPoint is { } master)
            {
                rooms.TryAdd(master, room);
            }
        }

        if (rooms.Count < masters.Count)
        {
            throw new InvalidOperationException($"Found rooms for {rooms.Count} of {masters.Count} masters; are all 16384 slots assigned?");
        }

        return masters.Select(m => (m.EndPoint!, rooms[m.EndPoint!])).ToList();
    }

    /// <summary>
    /// The masters that hold keys in <paramref name="room"/>'s slot, each asked about its own data
    /// (<c>CLUSTER COUNTKEYSINSLOT</c> is never redirected), so the answer does not rest on the
    /// client's view of the slot map.
    /// </summary>
    public static async Task<List<EndPoint>> MastersHoldingAsync(IConnectionMultiplexer redis, string room)
    {
        var slot = redis.HashSlot(new RoomKeys(room).Messages);
        var holders = new List<EndPoint>();
        foreach (var master in Masters(redis))
        {
            var count = (long)await redis.GetServer(master.EndPoint!).ExecuteAsync("CLUSTER", "COUNTKEYSINSLOT", slot);
            if (count > 0)
            {
                holders.Add(master.EndPoint!);
            }
        }

        return holders;
    }
}
