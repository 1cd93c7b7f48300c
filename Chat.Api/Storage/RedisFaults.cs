using StackExchange.Redis;

namespace Chat.Api.Storage;

/// <summary>
/// Tells "Redis is down or slow" (the client may retry: <c>unavailable</c>, 1013, 503) from
/// "Redis answered with an error" (a bug or corrupt data: unexpected, 1011, 500).
/// </summary>
public static class RedisFaults
{
    public static bool IsUnavailable(Exception exception) =>
        exception is RedisConnectionException or TimeoutException;
}
