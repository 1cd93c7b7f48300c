using System.Security.Cryptography;
using System.Text;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Identity;

/// <summary>
/// Guest sessions in Redis. A session is one hash per folded name (<see cref="UserKeys.GuestSession"/>),
/// so it is also the name's reservation: the name is taken exactly while the key exists. The key
/// expires after <c>Auth:SessionIdleTimeout</c> without a refresh; sign-out deletes it. Every
/// replica checks a guest token's <c>sid</c> against it, so the session's tokens die with it.
/// </summary>
public sealed class GuestSessions(IConnectionMultiplexer redis, IOptions<AuthOptions> options)
{
    /// <summary>KEYS[1] session. ARGV: sub, sid, name, refresh hash, idle ms. 1 when started, 0 when the name is taken.</summary>
    private const string StartScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'sub', ARGV[1], 'sid', ARGV[2], 'name', ARGV[3], 'rt', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;

    /// <summary>KEYS[1] session. ARGV: refresh hash, idle ms. The session's {sub, sid, name}, extended; or nil.</summary>
    private const string RefreshScript = """
        local s = redis.call('HMGET', KEYS[1], 'sub', 'sid', 'name', 'rt')
        if not s[4] or s[4] ~= ARGV[1] then return nil end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return {s[1], s[2], s[3]}
        """;

    /// <summary>KEYS[1] session. ARGV: sid. Deletes the session only if it is still this one (the name may be someone else's by now).</summary>
    private const string EndScript = """
        if redis.call('HGET', KEYS[1], 'sid') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private readonly AuthOptions _options = options.Value;

    private IDatabase Database => redis.GetDatabase();

    private long IdleMilliseconds => (long)_options.SessionIdleTimeout.TotalMilliseconds;

    /// <summary>Signs a guest in under <paramref name="name"/>; null when the name is in use (case-insensitively).</summary>
    public async Task<(ChatUser User, string RefreshToken)?> StartAsync(string name)
    {
        var folded = ChatUser.FoldGuestName(name);
        var user = new ChatUser(ChatUser.NewGuestSubject(), name, ChatUser.NewSessionId());
        var secret = NewSecret();
        var started = (int)await Database.ScriptEvaluateAsync(
            StartScript,
            [UserKeys.GuestSession(folded)],
            [user.Subject, user.SessionId, name, Hash(secret), IdleMilliseconds]);
        return started == 1 ? (user, folded + ":" + secret) : null;
    }

    /// <summary>The session a refresh token belongs to, kept alive for another idle period; null when it ended or the token is wrong.</summary>
    public async Task<ChatUser?> RefreshAsync(string refreshToken)
    {
        var separator = refreshToken.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0 || !ChatUser.TryValidateGuestName(refreshToken[..separator], out _))
        {
            return null;
        }

        var result = await Database.ScriptEvaluateAsync(
            RefreshScript,
            [UserKeys.GuestSession(refreshToken[..separator])],
            [Hash(refreshToken[(separator + 1)..]), IdleMilliseconds]);
        if (result.IsNull)
        {
            return null;
        }

        var values = (RedisValue[])result!;
        return new ChatUser(values[0]!, values[2]!, values[1]!);
    }

    /// <summary>Whether <paramref name="user"/>'s session is still the live one for its name.</summary>
    public async Task<bool> IsActiveAsync(ChatUser user) =>
        user.SessionId is { } sid
        && await Database.HashGetAsync(UserKeys.GuestSession(ChatUser.FoldGuestName(user.Name)), "sid") == sid;

    /// <summary>
    /// The subject of whoever is signed in as <paramref name="name"/> now, or null when nobody is:
    /// a name resolves to the live session's holder, never to an earlier one.
    /// </summary>
    public async Task<string?> HolderAsync(string name) =>
        await Database.HashGetAsync(UserKeys.GuestSession(ChatUser.FoldGuestName(name)), "sub") is { IsNullOrEmpty: false } sub ? (string?)sub : null;

    /// <summary>Ends <paramref name="user"/>'s session, freeing its name; false when it had already ended.</summary>
    public async Task<bool> EndAsync(ChatUser user) =>
        user.SessionId is { } sid
        && (int)await Database.ScriptEvaluateAsync(EndScript, [UserKeys.GuestSession(ChatUser.FoldGuestName(user.Name))], [sid]) == 1;

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // Only a hash is stored, so reading Redis does not hand out sessions.
    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
