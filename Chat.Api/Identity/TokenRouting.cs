using Chat.Api.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chat.Api.Identity;

/// <summary>
/// Picks the scheme that validates a token, by its (not yet trusted) issuer: ours, or the
/// provider's. Only that scheme runs, so a guest request never waits for the provider's discovery
/// document, and a provider token never meets our HS256 keys.
/// </summary>
public static class TokenRouting
{
    public const string Scheme = "Chat";

    public static string SchemeFor(string? token, AuthOptions options)
    {
        if (string.IsNullOrEmpty(options.Authority))
        {
            return IdentitySchemes.Guest;
        }

        if (!options.GuestsEnabled || string.IsNullOrEmpty(token))
        {
            return options.GuestsEnabled ? IdentitySchemes.Guest : IdentitySchemes.Provider;
        }

        try
        {
            return new JsonWebToken(token).Issuer == options.Issuer ? IdentitySchemes.Guest : IdentitySchemes.Provider;
        }
        catch (ArgumentException)
        {
            // Not a JWT at all: either scheme refuses it; ours does so without a network call.
            return IdentitySchemes.Guest;
        }
    }
}
