using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Identity;

/// <summary>
/// Sign-out for a provider's users, whose sessions are the provider's: the time of the sign-out is
/// kept per subject, and tokens issued before it are refused until they could have expired anyway
/// (<c>Auth:SessionIdleTimeout</c>).
/// </summary>
public sealed class ProviderSignOuts(IConnectionMultiplexer redis, IOptions<AuthOptions> options, TimeProvider time)
{
    public Task SignOutAsync(ChatUser user) =>
        redis.GetDatabase().StringSetAsync(
            UserKeys.SignedOut(user.Subject), time.GetUtcNow().ToUnixTimeSeconds(), options.Value.SessionIdleTimeout);

    public async Task<bool> IsSignedOutAsync(ChatUser user, DateTime issuedAtUtc)
    {
        var value = await redis.GetDatabase().StringGetAsync(UserKeys.SignedOut(user.Subject));
        // iat has whole seconds: a token issued in the sign-out's second counts as before it.
        return value.TryParse(out long signedOut) && new DateTimeOffset(issuedAtUtc, TimeSpan.Zero).ToUnixTimeSeconds() <= signedOut;
    }
}
