using System.Net;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Limits;

/// <summary>
/// Guest tokens per client address and minute, counted in Redis so every replica shares the
/// count: a fixed one-minute window per address. The address is the connection's, or the one
/// the configured proxy forwarded (see <c>Security:TrustedProxies</c>); a client cannot pick it.
/// </summary>
public sealed class GuestIssuanceLimiter(IConnectionMultiplexer redis, IOptions<LimitsOptions> options)
{
    /// <summary>KEYS[1] counter. Returns {count, ttl ms}; the first issue of a window starts its minute.</summary>
    private const string CountScript = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], 60000) end
        return {count, redis.call('PTTL', KEYS[1])}
        """;

    /// <summary>Counts one issue for <paramref name="address"/>; null when allowed, else the seconds to wait.</summary>
    public async Task<int?> TryIssueAsync(IPAddress? address)
    {
        var key = UserKeys.TokensIssued(address?.ToString() ?? "unknown");
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(CountScript, [key]))!;
        var count = (long)result[0];
        var ttlMs = Math.Max((long)result[1], 0);
        return count <= options.Value.GuestTokensPerMinute ? null : (int)Math.Ceiling(Math.Max(ttlMs, 1) / 1000.0);
    }
}
