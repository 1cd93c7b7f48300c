using StackExchange.Redis;

namespace Chat.Api.Storage;

/// <summary>
/// Tells "Redis is down or slow" (the client may retry: <c>unavailable</c>, 1013, 503) from
/// "Redis answered with an error" (a bug or corrupt data: unexpected, 1011, 500).
/// </summary>
public static class RedisFaults
{
    /// <summary>
    /// Error replies that mean "not now" rather than "wrong": a Redis loading its data after a
    /// restart, busy with a script, a replica that cannot serve writes, a cluster re-forming.
    /// </summary>
    private static readonly string[] s_transientReplies = ["LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN"];

    public static bool IsUnavailable(Exception exception) => exception switch
    {
        // RedisTimeoutException is a TimeoutException.
        RedisConnectionException or TimeoutException => true,
        RedisServerException server => IsTransientReply(server.Message),
        // A command the client library abandoned when its connection failed (a long freeze ends
        // in a reconnect): cancelled with no token of ours, or failed inside its pipe reader.
        OperationCanceledException cancelled => !cancelled.CancellationToken.IsCancellationRequested,
        InvalidOperationException invalid => invalid.Source is "StackExchange.Redis" or "System.IO.Pipelines",
        _ => false,
    };

    private static bool IsTransientReply(string message)
    {
        foreach (var prefix in s_transientReplies)
        {
            if (message.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
