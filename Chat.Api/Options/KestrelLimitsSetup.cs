using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Chat.Api.Options;

/// <summary>Applies the <see cref="LimitsOptions"/> that Kestrel enforces, so they are validated and documented with the rest.</summary>
internal sealed class KestrelLimitsSetup(IOptions<LimitsOptions> limits) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) =>
        options.Limits.RequestHeadersTimeout = limits.Value.HandshakeTimeout;
}
