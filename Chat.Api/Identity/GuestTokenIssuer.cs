using System.Security.Claims;
using System.Text;
using Chat.Api.Options;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Api.Identity;

/// <summary>
/// Issues signed guest tokens. A guest token binds a connection to one name, so nobody can post
/// as somebody else on that connection; it does not reserve the name (see docs/protocol.md).
/// </summary>
public sealed class GuestTokenIssuer(IOptions<AuthOptions> options, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _handler = new();

    public GuestToken Issue(ChatUser user)
    {
        var auth = options.Value;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + auth.TokenLifetime,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Key),
                new Claim(ChatUser.NameClaim, user.Name),
                new Claim("role", "guest"),
            ]),
            SigningCredentials = new SigningCredentials(CreateSigningKey(auth), SecurityAlgorithms.HmacSha256),
        };

        return new GuestToken(_handler.CreateToken(descriptor), (int)auth.TokenLifetime.TotalSeconds);
    }

    internal static SymmetricSecurityKey CreateSigningKey(AuthOptions options) =>
        new(Encoding.UTF8.GetBytes(options.SigningKey));
}

/// <summary>A freshly issued token and its lifetime in seconds.</summary>
public sealed record GuestToken(string AccessToken, int ExpiresInSeconds);
