using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Options;

/// <summary>Token issuing and validation. Configuration section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>HS256 key shared by every replica; at least 32 bytes of UTF-8. The AppHost generates one.</summary>
    [Required]
    public string SigningKey { get; set; } = "";

    /// <summary>
    /// The key before the last rotation, still accepted (never used to sign) so a rotation does not
    /// sign everybody out: move <see cref="SigningKey"/> here, set a new one, and drop this after one
    /// <see cref="TokenLifetime"/>. Tokens name their key in <c>kid</c>.
    /// </summary>
    public string? PreviousSigningKey { get; set; }

    [Required]
    public string Issuer { get; set; } = "chat";

    [Required]
    public string Audience { get; set; } = "chat";

    /// <summary>How long a guest access token is valid; renewed with <c>POST /api/auth/refresh</c>.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A guest session (and its reserved name) ends after this long without a refresh.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Whether <c>POST /api/auth/guest</c> signs guests in; off leaves only the provider.</summary>
    public bool GuestsEnabled { get; set; } = true;

    /// <summary>An OpenID Connect provider whose JWTs are accepted (discovery at <c>{Authority}/.well-known/openid-configuration</c>); none when empty.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience the provider's tokens must carry; required with <see cref="Authority"/>.</summary>
    public string? ProviderAudience { get; set; }

    /// <summary>Only for tests and local providers: allow an <c>http://</c> authority.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
