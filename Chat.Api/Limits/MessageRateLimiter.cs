using System.Collections.Concurrent;
using Chat.Api.Identity;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Limits;

/// <summary>
/// The per-user message rate, on the message path before the append. A generic cell rate
/// algorithm (GCRA, a token bucket kept as one timestamp): a message is allowed when the user's
/// theoretical arrival time is at most the burst ahead of now. The decision is local, so the
/// message path waits for no extra round trip; every accepted message is also sent to the user's
/// Redis copy of the same timestamp, pipelined with the append and not awaited. Redis's answer
/// includes what the user's other sockets on other replicas spent, and this replica takes the later
/// of the two, so the limit holds across replicas, loosened only by messages in flight at once. A
/// socket that pipelines waits for its previous message's answer before its next decision (the
/// <c>shared</c> task of <see cref="TryAcquire"/>), so that is one message per socket.
/// The key is the user's own, never in the room's script, so it works on a Redis Cluster.
/// </summary>
public sealed class MessageRateLimiter(IConnectionMultiplexer redis, IOptions<LimitsOptions> options, TimeProvider time)
{
    /// <summary>KEYS[1] rate key. ARGV: now (ms), emission interval (ms). Spends one message; returns the new arrival time.</summary>
    private const string SpendScript = """
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
        local now = tonumber(ARGV[1])
        if tat < now then tat = now end
        tat = tat + tonumber(ARGV[2])
        redis.call('SET', KEYS[1], tat, 'PX', math.floor(tat - now) + 1000)
        return tat
        """;

    private readonly ConcurrentDictionary<string, UserRate> _users = new(StringComparer.Ordinal);
    private readonly double _interval = 1000 / options.Value.MessagesPerSecond;
    private readonly double _tolerance = (options.Value.MessageBurst - 1) * (1000 / options.Value.MessagesPerSecond);

    /// <summary>
    /// Spends one message of <paramref name="user"/>'s rate; false with the wait when none is left.
    /// <paramref name="shared"/> completes once Redis has answered with the user's shared arrival
    /// time and this replica's copy has taken it in (or could not: an outage is not a fault here).
    /// </summary>
    public bool TryAcquire(ChatUser user, out int retryAfterMs, out Task shared)
    {
        var now = (double)time.GetUtcNow().ToUnixTimeMilliseconds();
        var rate = _users.GetOrAdd(user.Subject, static subject => new UserRate(subject));
        lock (rate)
        {
            var arrival = Math.Max(rate.ArrivalMs, now);
            if (arrival - now > _tolerance)
            {
                retryAfterMs = (int)Math.Ceiling(arrival - _tolerance - now);
                shared = Task.CompletedTask;
                return false;
            }

            rate.ArrivalMs = arrival + _interval;
        }

        retryAfterMs = 0;
        shared = SpendInRedisAsync(rate, now);
        return true;
    }

    /// <summary>Forgets users whose rate has fully recovered, so idle users cost nothing here.</summary>
    public void Sweep()
    {
        var now = (double)time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (subject, rate) in _users)
        {
            if (Volatile.Read(ref rate.ArrivalMs) < now)
            {
                _users.TryRemove(new KeyValuePair<string, UserRate>(subject, rate));
            }
        }
    }

    private async Task SpendInRedisAsync(UserRate rate, double now)
    {
        try
        {
            var shared = (double)await redis.GetDatabase().ScriptEvaluateAsync(SpendScript, rate.Keys, [now, _interval]);
            lock (rate)
            {
                rate.ArrivalMs = Math.Max(rate.ArrivalMs, shared);
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex) || ex is RedisServerException)
        {
            // The local decision stands; the append on the same connection reports the outage.
        }
    }

    private sealed class UserRate(string subject)
    {
        public double ArrivalMs;

        /// <summary>The user's key, built once per active user rather than per message.</summary>
        public readonly RedisKey[] Keys = [UserKeys.MessageRate(subject)];
    }
}
