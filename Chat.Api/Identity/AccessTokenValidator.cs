using System.Security.Claims;
using Chat.Api.Options;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chat.Api.Identity;

/// <summary>
/// Validates a token that arrives inside an open socket (<c>{"type":"auth"}</c>) exactly as the
/// handshake would: same scheme choice, same validation parameters (the provider's keys from its
/// discovery document), then the same session or sign-out check.
/// </summary>
public sealed class AccessTokenValidator(
    IOptionsMonitor<JwtBearerOptions> bearerOptions,
    IOptions<AuthOptions> authOptions,
    GuestSessions sessions,
    ProviderSignOuts signOuts)
{
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>The token's user and expiry, or null when it is not acceptable now.</summary>
    public async Task<(ChatUser User, DateTime IssuedAtUtc, DateTime ExpiresAtUtc)?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var auth = authOptions.Value;
        var scheme = TokenRouting.SchemeFor(token, auth);
        var options = bearerOptions.Get(scheme);
        var parameters = options.TokenValidationParameters.Clone();
        if (options.ConfigurationManager is { } configurationManager)
        {
            var configuration = await configurationManager.GetConfigurationAsync(cancellationToken);
            parameters.ValidIssuer = configuration.Issuer;
            parameters.IssuerSigningKeys = configuration.SigningKeys;
        }

        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || ChatUser.FromPrincipal(new ClaimsPrincipal(result.ClaimsIdentity)) is not { } user)
        {
            return null;
        }

        var live = scheme == IdentitySchemes.Guest
            ? auth.GuestsEnabled && await sessions.IsActiveAsync(user)
            : !await signOuts.IsSignedOutAsync(user, jwt.IssuedAt);
        return live ? (user, jwt.IssuedAt, jwt.ValidTo) : null;
    }
}
