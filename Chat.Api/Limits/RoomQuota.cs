using Chat.Api.Identity;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Limits;

/// <summary>
/// Rooms a user creates per UTC day (<c>Limits:RoomsPerDay</c>), counted in Redis so every replica
/// shares the count: one counter per subject and day (<see cref="UserKeys.RoomsCreated"/>). It is
/// asked only after a room was actually claimed (see <c>RoomAccess</c>), so joining a room that
/// exists never counts, and a refused creation does not count either.
/// </summary>
public sealed class RoomQuota(IConnectionMultiplexer redis, IOptions<LimitsOptions> options, TimeProvider time)
{
    /// <summary>KEYS[1] the day's counter. ARGV: limit, ttl (s). 1 when counted, 0 when the day's quota is spent.</summary>
    private const string TakeScript = """
        local count = tonumber(redis.call('GET', KEYS[1]) or '0')
        if count >= tonumber(ARGV[1]) then return 0 end
        redis.call('INCR', KEYS[1])
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    // A day's counter outlives its day only so that a clock skew between replicas around
    // midnight cannot reset it early; after that it is garbage.
    private static readonly long s_counterSeconds = (long)TimeSpan.FromDays(2).TotalSeconds;

    private readonly LimitsOptions _options = options.Value;

    /// <summary>Whether the quota applies (<c>Limits:Enabled</c>).</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>The day's quota.</summary>
    public int PerDay => _options.RoomsPerDay;

    /// <summary>Whole seconds until the quota renews at midnight UTC, for <c>Retry-After</c>.</summary>
    public int SecondsUntilRenewal => SecondsUntilMidnightUtc(time.GetUtcNow());

    /// <summary>Whole seconds from <paramref name="now"/> to the next midnight UTC, at least 1 (a <c>Retry-After</c> of 0 invites a retry storm).</summary>
    public static int SecondsUntilMidnightUtc(DateTimeOffset now)
    {
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        return Math.Max(1, (int)Math.Ceiling((midnight - now).TotalSeconds));
    }

    /// <summary>KEYS[1] the day's counter. Takes one back, never below zero.</summary>
    private const string GiveBackScript = "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then return redis.call('DECR', KEYS[1]) end return 0";

    /// <summary>Un-counts a room that was counted but not kept (its handshake was refused after all).</summary>
    public Task GiveBackAsync(ChatUser user) =>
        redis.GetDatabase().ScriptEvaluateAsync(GiveBackScript, [UserKeys.RoomsCreated(user.Subject, Today())]);

    /// <summary>Counts one created room for <paramref name="user"/>; false when today's quota was already spent.</summary>
    public async Task<bool> TryTakeAsync(ChatUser user)
    {
        var day = Today();
        return (int)await redis.GetDatabase().ScriptEvaluateAsync(
            TakeScript,
            [UserKeys.RoomsCreated(user.Subject, day)],
            [_options.RoomsPerDay, s_counterSeconds]) == 1;
    }

    private string Today() => time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
}
