using System.Net;
using Chat.Api.Options;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Chat.Api.Security;

/// <summary>
/// Believes <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from <c>Security:TrustedProxies</c>
/// only. ASP.NET Core trusts loopback by default; that default is cleared, since on a shared host
/// any local process could otherwise choose the address the per-address limits count. With both
/// lists empty the middleware would trust everybody, so it is only used when a proxy is configured
/// (<c>UseChatApi</c>).
/// </summary>
internal sealed class ForwardedHeadersSetup(IOptions<SecurityOptions> security) : IConfigureOptions<ForwardedHeadersOptions>
{
    public void Configure(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var proxy in security.Value.TrustedProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }
    }
}
