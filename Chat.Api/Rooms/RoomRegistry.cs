using System.Collections.Concurrent;
using Chat.Api.Diagnostics;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// The rooms this replica has members in. A room exists here from its first member's join to its
/// last member's leave, and so does its channel subscription.
/// </summary>
public sealed class RoomRegistry(IConnectionMultiplexer redis, ChatMetrics metrics, ILogger<RoomRegistry> logger)
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    /// <summary>Adds a member to a room, subscribing this replica to the room if needed.</summary>
    public async Task<Room> JoinAsync(string roomId, RoomMember member)
    {
        while (true)
        {
            var room = _rooms.GetOrAdd(roomId, CreateRoom);
            if (await room.TryAddAsync(member))
            {
                return room;
            }

            // The room retired between lookup and join; it is gone from the map, so go again.
        }
    }

    public Task LeaveAsync(Room room, RoomMember member) => room.RemoveAsync(member);

    private Room CreateRoom(string roomId) =>
        new(new RoomKeys(roomId), redis.GetSubscriber(), metrics, logger, retired => _rooms.TryRemove(KeyValuePair.Create(retired.Keys.RoomId, retired)));
}
