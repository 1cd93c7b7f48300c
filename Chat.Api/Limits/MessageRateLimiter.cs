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
/// of the two, so the limit holds across replicas, loosened only by messages in flight at once.
/// <see cref="AcquireAsync"/> decides a user's message only once Redis has answered for the user's
/// previous one, so that is one message per user and replica, however fast a socket pipelines.
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
    /// Spends one message of <paramref name="user"/>'s rate: 0 when allowed, else the milliseconds
    /// to wait. A socket that pipelines has its next frame read before Redis answered for the last
    /// one; deciding then would let each replica spend the same burst (a user flooding through two
    /// replicas got 39 messages through a limit of about 25). So the decision first waits for the
    /// user's previous shared answer, which costs nothing unless messages come faster than Redis
    /// answers, i.e. only for a user over the rate anyway. At most <paramref name="maxWait"/>: an
    /// unanswered Redis leaves the local decision, as it does for a user's first message.
    /// </summary>
    public async ValueTask<int> AcquireAsync(ChatUser user, TimeSpan maxWait)
    {
        var rate = _users.GetOrAdd(user.Subject, static subject => new UserRate(subject));
        if (rate.Shared is { IsCompleted: false } shared)
        {
            // A timeout, or a fault the spend did not expect, leaves the local decision; neither
            // may end the socket.
            await shared.WaitAsync(maxWait, time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return TryAcquire(rate, out var retryAfterMs) ? 0 : retryAfterMs;
    }

    /// <summary>The local decision alone, without waiting for Redis: the unit tests' view of the algorithm.</summary>
    internal bool TryAcquire(ChatUser user, out int retryAfterMs) =>
        TryAcquire(_users.GetOrAdd(user.Subject, static subject => new UserRate(subject)), out retryAfterMs);

    private bool TryAcquire(UserRate rate, out int retryAfterMs)
    {
        var now = (double)time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (rate)
        {
            var arrival = Math.Max(rate.ArrivalMs, now);
            if (arrival - now > _tolerance)
            {
                retryAfterMs = (int)Math.Ceiling(arrival - _tolerance - now);
                return false;
            }

            rate.ArrivalMs = arrival + _interval;
        }

        retryAfterMs = 0;
        rate.Shared = SpendInRedisAsync(rate, now);
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

        /// <summary>Redis's answer for the last message allowed here; it never faults on an outage.</summary>
        public Task Shared = Task.CompletedTask;

        /// <summary>The user's key, built once per active user rather than per message.</summary>
        public readonly RedisKey[] Keys = [UserKeys.MessageRate(subject)];
    }
}
