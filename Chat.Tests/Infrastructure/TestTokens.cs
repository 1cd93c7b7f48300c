using System.Security.Claims;
using System.Text;
using Chat.Api.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Mints tokens the way an attacker (or a key rotation) would, with the test apps' known signing
/// key (<see cref="SigningKey"/>, passed to every replica as <c>Auth:SigningKey</c>).
/// </summary>
public static class TestTokens
{
    public const string SigningKey = "chat-tests-signing-key-0123456789-abcdefghijklmnop";

    /// <summary>A guest token as the API would issue it, with every claim overridable.</summary>
    public static string Guest(
        string subject,
        string name,
        string session,
        string issuer = "chat",
        string audience = "chat",
        DateTime? expires = null,
        string? key = null)
    {
        var now = DateTime.UtcNow;
        var signingKey = key ?? SigningKey;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (expires ?? now.AddHours(1)).AddHours(-1),
            NotBefore = (expires ?? now.AddHours(1)).AddHours(-1),
            Expires = expires ?? now.AddHours(1),
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("name", name), new Claim("sid", session)]),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)) { KeyId = SigningKeys.KeyId(signingKey) },
                SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The same claims with <c>alg:none</c> and no signature.</summary>
    public static string WithoutSignature(string subject, string name, string session)
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode(
            $$"""{"iss":"chat","aud":"chat","sub":"{{subject}}","name":"{{name}}","sid":"{{session}}","exp":{{exp}},"nbf":{{exp - 3600}}}""");
        return header + "." + payload + ".";
    }

    /// <summary>The subject and session a real token carries, to forge variants of it.</summary>
    public static (string Subject, string Session, string Name) Claims(string token)
    {
        var jwt = new JsonWebToken(token);
        return (jwt.Subject, jwt.GetClaim("sid").Value, jwt.GetClaim("name").Value);
    }
}
