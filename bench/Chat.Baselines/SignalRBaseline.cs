using StackExchange.Redis;

namespace Chat.Baselines;

/// <summary>
/// The usual .NET answer to "chat across several servers": a SignalR hub with the Redis backplane,
/// as the docs set it up. JSON hub protocol only (the default), no history, no idempotency, no auth.
/// </summary>
internal static class SignalRBaseline
{
    public static void AddServices(IServiceCollection services, string redisConfiguration)
    {
        services.AddSignalR()
            .AddStackExchangeRedis(redisConfiguration, static redis =>
                // Its own channel names, so a baseline never hears another app on the same Redis.
                redis.Configuration.ChannelPrefix = RedisChannel.Literal("chat-baseline"));
    }

    /// <summary>
    /// <c>/hub</c>. Clients may skip negotiation and open <c>ws://host/hub?username=NAME</c>
    /// directly: SignalR accepts a WebSocket request without a connection id as a new connection.
    /// </summary>
    public static void Map(WebApplication app) => app.MapHub<ChatHub>("/hub");
}
