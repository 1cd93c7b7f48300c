using System.Security.Cryptography;
using System.Text;
using Chat.Api.Options;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Chat.Api.Security;

/// <summary>
/// Decides whose <c>X-Forwarded-*</c> headers are believed: requests from the web frontend, known by
/// <c>Security:ProxySecret</c> in <c>X-Chat-Proxy</c>, and requests from the addresses in
/// <c>Security:TrustedProxies</c>. Anyone else's forwarded headers are ignored, so a client can
/// never choose the address the per-address limits count.
/// </summary>
internal static class TrustedProxies
{
    /// <summary>The header the frontend (Chat.Web's <c>ApiForwarding</c>) sends its secret in.</summary>
    public const string ProxySecretHeader = "X-Chat-Proxy";

    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var secret = Encoding.UTF8.GetBytes(security.ProxySecret);
        if (secret.Length > 0)
        {
            // The secret vouches for the sender, whatever its address: empty lists make the
            // middleware believe it. The frontend *sets* X-Forwarded-For (YARP's default), so
            // the one entry it holds is the browser's address; ForwardLimit 1 takes only that.
            var fromFrontend = new ForwardedHeadersOptions
            {
                ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
                ForwardLimit = 1,
            };
            fromFrontend.KnownIPNetworks.Clear();
            fromFrontend.KnownProxies.Clear();
            app.UseWhen(context => CarriesSecret(context.Request, secret), branch => branch.UseForwardedHeaders(fromFrontend));
        }

        // With no proxy configured the address-based middleware is left out: given empty lists,
        // it would believe every sender (ForwardedHeadersSetup fills them from TrustedProxies).
        if (security.TrustedProxies.Length > 0)
        {
            app.UseWhen(context => !CarriesSecret(context.Request, secret), branch => branch.UseForwardedHeaders());
        }

        return app;
    }

    /// <summary>Compared in fixed time, so the answer's timing says nothing about the secret.</summary>
    internal static bool CarriesSecret(HttpRequest request, byte[] secret)
    {
        if (secret.Length == 0 || request.Headers[ProxySecretHeader] is not { Count: 1 } values)
        {
            return false;
        }

        var sent = Encoding.UTF8.GetBytes(values[0] ?? "");
        return CryptographicOperations.FixedTimeEquals(sent, secret);
    }
}
