using System.Collections.Concurrent;
using Chat.Api.Diagnostics;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// The rooms this replica has members in. A room exists here from its first member's join to its
/// last member's leave, and so does its channel subscription. When Redis's subscription
/// connection comes back, every room checks the stream for what it missed meanwhile.
/// </summary>
public sealed class RoomRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly IConnectionMultiplexer _redis;
    private readonly RoomContext _context;
    private readonly ResyncSchedule _resync;
    private readonly ILogger<RoomRegistry> _logger;

    public RoomRegistry(
        IConnectionMultiplexer redis,
        MessageLog log,
        RoomSubscriptions subscriptions,
        ChatMetrics metrics,
        TimeProvider time,
        IOptions<ChatOptions> options,
        PresenceStore presence,
        IOptions<PresenceOptions> presenceOptions,
        ILogger<RoomRegistry> logger)
    {
        _redis = redis;
        _logger = logger;
        _resync = new ResyncSchedule(time, options.Value.ResyncDelay, ResyncAll);
        _context = new RoomContext(log, subscriptions, metrics, logger, options.Value.ResumeBatchSize, Connections.ResumePaging.PageSize(options.Value),
            presence, time, presenceOptions.Value);
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
    }

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

    /// <summary>Removes a member; never throws, so a leaving connection is always cleaned up.</summary>
    public Task LeaveAsync(Room room, RoomMember member) => room.RemoveAsync(member);

    /// <summary>Every room compares its position with its stream's tail (see <see cref="Room.RequestResync"/>).</summary>
    public void ResyncAll()
    {
        foreach (var room in _rooms.Values)
        {
            room.RequestResync();
        }
    }

    public void Dispose()
    {
        _redis.ConnectionFailed -= OnConnectionFailed;
        _redis.ConnectionRestored -= OnConnectionRestored;
        _resync.Dispose();
    }

    private Room CreateRoom(string roomId) =>
        new(new RoomKeys(roomId), _context, retired => _rooms.TryRemove(KeyValuePair.Create(retired.Keys.RoomId, retired)));

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        Log.RedisConnectionFailed(_logger, e.ConnectionType, e.EndPoint?.ToString(), e.FailureType, e.Exception);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Log.RedisConnectionRestored(_logger, e.ConnectionType, e.EndPoint?.ToString());
        if (e.ConnectionType != ConnectionType.Subscription)
        {
            return;
        }

        _resync.OnRestored();
    }
}
