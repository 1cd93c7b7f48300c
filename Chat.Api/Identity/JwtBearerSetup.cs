using Chat.Api.Options;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Api.Identity;

/// <summary>
/// Validates our own HS256 tokens. Browsers cannot set headers on a WebSocket handshake, so the
/// token may also arrive as the <c>access_token</c> query parameter, on WebSocket requests only
/// (query strings end up in logs; REST calls use the header).
/// </summary>
internal sealed class JwtBearerSetup(IOptions<AuthOptions> authOptions) : IConfigureNamedOptions<JwtBearerOptions>
{
    public const string AccessTokenQueryParameter = "access_token";

    public void Configure(string? name, JwtBearerOptions options)
    {
        var auth = authOptions.Value;
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            IssuerSigningKey = GuestTokenIssuer.CreateSigningKey(auth),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            NameClaimType = ChatUser.NameClaim,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                if (string.IsNullOrEmpty(context.Token)
                    && context.HttpContext.WebSockets.IsWebSocketRequest
                    && context.Request.Query.TryGetValue(AccessTokenQueryParameter, out var token))
                {
                    // Two different tokens on one request: no rule of precedence would be safe
                    // (a page could smuggle one past a proxy that checks the other), so refuse.
                    if (BearerHeaderToken(context.Request) is { } header && header != token.ToString())
                    {
                        context.Fail("The Authorization header and the access_token parameter carry different tokens.");
                        return Task.CompletedTask;
                    }

                    context.Token = token;
                }

                return Task.CompletedTask;
            },
        };
    }

    private static string? BearerHeaderToken(HttpRequest request)
    {
        const string Scheme = "Bearer ";
        string? header = request.Headers.Authorization;
        return header is not null && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? header[Scheme.Length..].Trim()
            : header;
    }

    public void Configure(JwtBearerOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);
}
