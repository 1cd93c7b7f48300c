using Chat.Api.Identity;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Limits;

/// <summary>
/// How many sockets a user holds on all replicas together: a sorted set per user of socket ids
/// scored by when their lease ends. A handshake drops expired leases and takes a place when fewer
/// than <c>Limits:SocketsPerUser</c> remain; the replica renews its sockets' leases every third of
/// <c>Limits:SocketLeaseTtl</c> and gives a place back when its socket ends. A killed replica's
/// places lapse with their leases, so nobody is locked out longer than the TTL.
/// </summary>
public sealed class UserSockets(IConnectionMultiplexer redis, IOptions<LimitsOptions> options, TimeProvider time)
{
    /// <summary>KEYS[1] sockets. ARGV: now ms, lease end ms, socket id, max, key ttl ms. 1 when a place was taken.</summary>
    private const string AcquireScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;

    private readonly LimitsOptions _options = options.Value;

    private long TtlMs => (long)_options.SocketLeaseTtl.TotalMilliseconds;

    /// <summary>How often leases are renewed.</summary>
    public TimeSpan RenewInterval => _options.SocketLeaseTtl / 3;

    public async Task<bool> TryAcquireAsync(ChatUser user, string socketId)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return (int)await redis.GetDatabase().ScriptEvaluateAsync(
            AcquireScript,
            [UserKeys.Sockets(user.Subject)],
            [now, now + TtlMs, socketId, _options.SocketsPerUser, TtlMs]) == 1;
    }

    public Task ReleaseAsync(ChatUser user, string socketId) =>
        redis.GetDatabase().SortedSetRemoveAsync(UserKeys.Sockets(user.Subject), socketId);

    /// <summary>Extends the leases of <paramref name="sockets"/>, pipelined: one batch, not one round trip each.</summary>
    public async Task RenewAsync(IEnumerable<(ChatUser User, string SocketId)> sockets)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = redis.GetDatabase().CreateBatch();
        var pending = new List<Task>();
        foreach (var (user, socketId) in sockets)
        {
            var key = UserKeys.Sockets(user.Subject);
            pending.Add(batch.SortedSetAddAsync(key, socketId, now + TtlMs, SortedSetWhen.Exists));
            pending.Add(batch.KeyExpireAsync(key, _options.SocketLeaseTtl));
        }

        batch.Execute();
        await Task.WhenAll(pending);
    }
}
