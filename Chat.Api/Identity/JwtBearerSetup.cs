using Chat.Api.Diagnostics;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Api.Identity;

/// <summary>
/// Configures both JwtBearer schemes (<see cref="IdentitySchemes"/>). Browsers cannot set headers
/// on a WebSocket handshake, so the token may also arrive as the <c>access_token</c> query
/// parameter, on WebSocket requests only (query strings end up in logs; REST calls use the header).
/// After the signature and lifetime, a guest token's session must still be live in Redis, and a
/// provider's token must not predate its user's sign-out.
/// </summary>
internal sealed class JwtBearerSetup(IOptions<AuthOptions> authOptions, SigningKeys keys) : IConfigureNamedOptions<JwtBearerOptions>
{
    public const string AccessTokenQueryParameter = "access_token";

    /// <summary>Only asymmetric algorithms from a provider: never <c>none</c>, never HS256 with its public key.</summary>
    private static readonly string[] s_providerAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public void Configure(string? name, JwtBearerOptions options)
    {
        var auth = authOptions.Value;
        options.MapInboundClaims = false;
        // Nothing reads the token back from the request's properties, and they live as long as
        // the request: a socket's whole life.
        options.SaveToken = false;
        if (name == IdentitySchemes.Provider)
        {
            options.Authority = auth.Authority;
            options.Audience = auth.ProviderAudience;
            options.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAudience = auth.ProviderAudience,
                ValidAlgorithms = s_providerAlgorithms,
                AuthenticationType = IdentitySchemes.Provider,
                NameClaimType = ChatUser.NameClaim,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            options.Events = new JwtBearerEvents { OnMessageReceived = ReadToken, OnTokenValidated = CheckProviderSignOutAsync };
            return;
        }

        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            IssuerSigningKeys = keys.Accepted,
            // A token must name its key; one signed with a key we no longer hold is refused by kid.
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            AuthenticationType = IdentitySchemes.Guest,
            NameClaimType = ChatUser.NameClaim,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        options.Events = new JwtBearerEvents { OnMessageReceived = ReadToken, OnTokenValidated = CheckGuestSessionAsync };
    }

    public void Configure(JwtBearerOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);

    /// <summary>The request's token: the Authorization header's, or the query's on a WebSocket request; null when there is none.</summary>
    public static string? FindToken(HttpRequest request, out bool conflicting)
    {
        conflicting = false;
        var header = BearerHeaderToken(request);
        if (request.HttpContext.WebSockets.IsWebSocketRequest
            && request.Query.TryGetValue(AccessTokenQueryParameter, out var query))
        {
            // Two different tokens on one request: no rule of precedence would be safe (a page
            // could smuggle one past a proxy that checks the other), so refuse.
            conflicting = header is not null && header != query.ToString();
            return query.ToString();
        }

        return header;
    }

    private static Task ReadToken(MessageReceivedContext context)
    {
        // Before anything is checked: a sign-out handled from here on is seen by the socket (see ControlChannel.Notices).
        context.HttpContext.RequestServices.GetRequiredService<Connections.ControlChannel>().Stamp(context.HttpContext);
        var token = FindToken(context.Request, out var conflicting);
        if (conflicting)
        {
            context.Fail("The Authorization header and the access_token parameter carry different tokens.");
        }
        else
        {
            context.Token = token;
        }

        return Task.CompletedTask;
    }

    private async Task CheckGuestSessionAsync(TokenValidatedContext context)
    {
        if (!authOptions.Value.GuestsEnabled)
        {
            context.Fail("Guest sign-in is disabled.");
            return;
        }

        if (context.Principal is null || ChatUser.FromPrincipal(context.Principal) is not { } user)
        {
            context.Fail("The token carries no valid subject, name and session.");
            return;
        }

        var sessions = context.HttpContext.RequestServices.GetRequiredService<GuestSessions>();
        try
        {
            if (!await sessions.IsActiveAsync(user))
            {
                context.Fail("The session has ended.");
                return;
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // Fail open: while Redis is away nothing can be stored or joined anyway, and refusing
            // every token would sign everybody out of a service that is merely blinking.
            Log.SessionCheckSkipped(context.HttpContext.RequestServices.GetRequiredService<ILogger<JwtBearerSetup>>(), ex);
        }

        context.Principal = KeptPrincipal.From(context.Principal);
    }

    private async Task CheckProviderSignOutAsync(TokenValidatedContext context)
    {
        if (context.Principal is null || ChatUser.FromPrincipal(context.Principal) is not { } user)
        {
            context.Fail("The token carries no subject, or no usable name or preferred_username.");
            return;
        }

        if (context.SecurityToken is not JsonWebToken jwt)
        {
            context.Principal = KeptPrincipal.From(context.Principal);
            return;
        }

        var signOuts = context.HttpContext.RequestServices.GetRequiredService<ProviderSignOuts>();
        try
        {
            if (await signOuts.IsSignedOutAsync(user, jwt.IssuedAt))
            {
                context.Fail("The user signed out after this token was issued.");
                return;
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            Log.SessionCheckSkipped(context.HttpContext.RequestServices.GetRequiredService<ILogger<JwtBearerSetup>>(), ex);
        }

        context.Principal = KeptPrincipal.From(context.Principal);
    }

    private static string? BearerHeaderToken(HttpRequest request)
    {
        const string Scheme = "Bearer ";
        string? header = request.Headers.Authorization;
        // Only the Bearer scheme carries a token; a bare JWT or another scheme is not one.
        return header is not null && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? header[Scheme.Length..].Trim()
            : null;
    }
}
