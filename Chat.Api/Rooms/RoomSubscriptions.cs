using System.Collections.Concurrent;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// Subscribes and unsubscribes rooms' sharded channels, one operation per room at a time
/// (<see cref="SubscriptionGate"/>). Each subscription is a <see cref="ChannelMessageQueue"/>:
/// unlike a handler callback, it yields one channel's messages in order.
/// </summary>
public sealed class RoomSubscriptions(IConnectionMultiplexer redis, TimeProvider time)
{
    private static readonly TimeSpan s_strayRetryInterval = TimeSpan.FromSeconds(1);
    private const int StrayRetries = 120;

    private readonly SubscriptionGate _gate = new();

    // Rooms this replica holds a subscription for; changed only under the room's gate.
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    public async Task<ChannelMessageQueue> SubscribeAsync(RoomKeys room)
    {
        using var entered = await _gate.EnterAsync(room.RoomId);
        try
        {
            var queue = await SubscribeOrDropAsync(room);
            _held[room.RoomId] = 0;
            return queue;
        }
        catch
        {
            _ = ForgetStrayAsync(room);
            throw;
        }
    }

    public async Task UnsubscribeAsync(RoomKeys room, ChannelMessageQueue subscription)
    {
        using var entered = await _gate.EnterAsync(room.RoomId);
        _held.TryRemove(room.RoomId, out _);
        await subscription.UnsubscribeAsync();
    }

    /// <summary>
    /// The client registers the queue before Redis confirms; a subscribe that failed (a timeout
    /// on a frozen Redis) would leave a queue nobody reads, growing with every message once Redis
    /// answers. No other room on this replica holds the channel (the gate), so dropping all of
    /// its local subscriptions is exact.
    /// </summary>
    private async Task<ChannelMessageQueue> SubscribeOrDropAsync(RoomKeys room)
    {
        var subscriber = redis.GetSubscriber();
        try
        {
            return await subscriber.SubscribeAsync(room.Channel);
        }
        catch
        {
            try
            {
                await subscriber.UnsubscribeAsync(room.Channel);
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                // Removed locally all the same.
            }

            throw;
        }
    }

    /// <summary>
    /// A failed subscribe was still sent, and Redis runs it when it answers again: the server
    /// would then push the room's messages to this replica, which drops them, until the
    /// connection ends. Once Redis answers, a subscribe and unsubscribe clears that, unless a
    /// room holds the channel by then.
    /// </summary>
    private async Task ForgetStrayAsync(RoomKeys room)
    {
        for (var attempt = 0; attempt < StrayRetries; attempt++)
        {
            await Task.Delay(s_strayRetryInterval, time);
            try
            {
                using var entered = await _gate.EnterAsync(room.RoomId);
                if (!_held.ContainsKey(room.RoomId))
                {
                    var queue = await SubscribeOrDropAsync(room);
                    await queue.UnsubscribeAsync();
                }

                return;
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                // Redis still does not answer; try again.
            }
        }
    }
}
