using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chat.Api.Identity;

/// <summary>
/// The principal a request keeps once its token is validated: only the claims the API reads
/// (<see cref="ChatUser.FromPrincipal"/>, and the token's times for a socket), copied into a
/// plain <see cref="ClaimsIdentity"/>. The authentication and authorization middleware hold the
/// request's principal until the request ends, which for a WebSocket is when the socket closes;
/// the validated one references its <see cref="JsonWebToken"/> (both claim sets, the encoded
/// token) and every claim the token carries, several KiB per idle socket (docs/benchmarks.md).
/// </summary>
public static class KeptPrincipal
{
    // Types are our constants rather than the token's strings, so that each request keeps only
    // the values; the values are the ones ChatUser is built from, so a socket holds them once.
    private static readonly string[] s_kept =
    [
        JwtRegisteredClaimNames.Sub, ChatUser.NameClaim, ChatUser.PreferredUsernameClaim, ChatUser.SessionClaim,
        JwtRegisteredClaimNames.Iat, JwtRegisteredClaimNames.Exp,
    ];

    /// <summary>A principal with the API's claims of <paramref name="validated"/>'s first identity, and its authentication type.</summary>
    public static ClaimsPrincipal From(ClaimsPrincipal validated)
    {
        ArgumentNullException.ThrowIfNull(validated);
        var source = validated.Identity as ClaimsIdentity;
        var kept = new ClaimsIdentity(source?.AuthenticationType, ChatUser.NameClaim, source?.RoleClaimType);
        foreach (var type in s_kept)
        {
            // Issuer included: a provider's subject is derived from the issuer of its sub claim.
            // Made with their identity as subject, so the identity keeps them without a copy.
            if (source?.FindFirst(type) is { } claim)
            {
                kept.AddClaim(new Claim(type, claim.Value, claim.ValueType, claim.Issuer, claim.OriginalIssuer, kept));
            }
        }

        return new ClaimsPrincipal(kept);
    }

    /// <summary>
    /// A socket took what it needs (its <see cref="ChatUser"/> and the token's times): the request
    /// lets go of its principal. The authentication and authorization middleware still hold the
    /// request's result, whose principal is this one, so its claims are removed as well.
    /// </summary>
    public static void Forget(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var identity in context.User.Identities)
        {
            foreach (var claim in identity.Claims.ToList())
            {
                identity.TryRemoveClaim(claim);
            }
        }

        context.User = new ClaimsPrincipal();
        context.Features.Set<IAuthenticateResultFeature>(null);
        context.Features.Set<IHttpAuthenticationFeature>(null);
    }
}
