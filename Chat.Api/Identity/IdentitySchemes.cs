using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Chat.Api.Identity;

/// <summary>
/// The two ways a token is accepted: our own guest tokens, and an external OpenID Connect
/// provider's when <c>Auth:Authority</c> is configured. Each is a JwtBearer scheme whose
/// identities carry the scheme's name as their authentication type, so <see cref="ChatUser"/>
/// knows which claims to read.
/// </summary>
public static class IdentitySchemes
{
    public const string Guest = JwtBearerDefaults.AuthenticationScheme;

    public const string Provider = "Provider";
}
