using System.Security.Claims;
using Chat.Api.Options;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Api.Identity;

/// <summary>
/// Issues signed guest access tokens: <c>sub</c> (the stable subject), <c>name</c> (the display
/// name), <c>sid</c> (the session, checked against Redis so a signed-out session's tokens are
/// refused), a <c>jti</c> and the signing key's <c>kid</c>.
/// </summary>
public sealed class GuestTokenIssuer(IOptions<AuthOptions> options, SigningKeys keys, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _handler = new();

    public GuestToken Issue(ChatUser user)
    {
        var auth = options.Value;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var expires = now + auth.TokenLifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Subject),
                new Claim(ChatUser.NameClaim, user.Name),
                new Claim(ChatUser.SessionClaim, user.SessionId ?? throw new ArgumentException("A guest token needs a session.", nameof(user))),
                new Claim(JwtRegisteredClaimNames.Jti, ChatUser.NewSessionId()),
                new Claim("role", "guest"),
            ]),
            SigningCredentials = new SigningCredentials(keys.Current, SecurityAlgorithms.HmacSha256),
        };

        return new GuestToken(_handler.CreateToken(descriptor), (int)auth.TokenLifetime.TotalSeconds, expires);
    }
}

/// <summary>A freshly issued token, its lifetime in seconds and when it expires.</summary>
public sealed record GuestToken(string AccessToken, int ExpiresInSeconds, DateTime ExpiresAtUtc);
