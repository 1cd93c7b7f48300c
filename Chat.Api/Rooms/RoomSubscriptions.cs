using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// Subscribes and unsubscribes rooms' sharded channels, one operation per room at a time
/// (<see cref="SubscriptionGate"/>). Each subscription is a <see cref="ChannelMessageQueue"/>:
/// unlike a handler callback, it yields one channel's messages in order.
/// </summary>
public sealed class RoomSubscriptions(IConnectionMultiplexer redis)
{
    private readonly SubscriptionGate _gate = new();

    public async Task<ChannelMessageQueue> SubscribeAsync(RoomKeys room)
    {
        using var _ = await _gate.EnterAsync(room.RoomId);
        var subscriber = redis.GetSubscriber();
        try
        {
            return await subscriber.SubscribeAsync(room.Channel);
        }
        catch
        {
            // The client registers the queue before Redis confirms; a subscribe that failed (a
            // timeout on a frozen Redis) would leave a queue nobody reads, growing with every
            // message once Redis answers. No other room on this replica holds the channel (the
            // gate), so dropping all of its local subscriptions is exact.
            try
            {
                await subscriber.UnsubscribeAsync(room.Channel);
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                // Removed locally all the same; Redis forgets it with the connection.
            }

            throw;
        }
    }

    public async Task UnsubscribeAsync(RoomKeys room, ChannelMessageQueue subscription)
    {
        using var _ = await _gate.EnterAsync(room.RoomId);
        await subscription.UnsubscribeAsync();
    }
}
