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
        return await redis.GetSubscriber().SubscribeAsync(room.Channel);
    }

    public async Task UnsubscribeAsync(RoomKeys room, ChannelMessageQueue subscription)
    {
        using var _ = await _gate.EnterAsync(room.RoomId);
        await subscription.UnsubscribeAsync();
    }
}
