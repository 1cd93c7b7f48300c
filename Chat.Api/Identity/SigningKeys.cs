using System.Security.Cryptography;
using System.Text;
using Chat.Api.Options;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Api.Identity;

/// <summary>
/// The guest tokens' HS256 keys: the current one signs, the current and the previous one verify.
/// Each key's <c>kid</c> is derived from the key itself, so every replica names it alike without
/// configuring ids, and a token signed with a key nobody holds any more is refused by its kid.
/// </summary>
public sealed class SigningKeys
{
    public SigningKeys(IOptions<AuthOptions> options)
    {
        var auth = options.Value;
        Current = Create(auth.SigningKey);
        Accepted = string.IsNullOrEmpty(auth.PreviousSigningKey) ? [Current] : [Current, Create(auth.PreviousSigningKey)];
    }

    public SymmetricSecurityKey Current { get; }

    public IReadOnlyList<SymmetricSecurityKey> Accepted { get; }

    /// <summary>The first 12 characters of the key's SHA-256 in base64url: names the key, reveals nothing.</summary>
    public static string KeyId(string key) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];

    private static SymmetricSecurityKey Create(string key) =>
        new(Encoding.UTF8.GetBytes(key)) { KeyId = KeyId(key) };
}
