using Chat.Api.Security;
using Microsoft.Extensions.Options;

namespace Chat.Api.Options;

/// <summary>Refuses allowlist entries a browser could never send, naming the entry's key, so a typo fails at start instead of refusing every page.</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        var origins = options.AllowedOrigins ?? [];
        for (var i = 0; i < origins.Length; i++)
        {
            if (!OriginAllowlist.IsSerializedOrigin(origins[i]))
            {
                failures.Add($"Security:AllowedOrigins:{i} ('{origins[i]}') must be an origin such as http://localhost:5170: " +
                    "http or https, an ASCII host and an optional non-default port, with no path, trailing slash, query or wildcard. " +
                    "Browsers send exactly that form and entries are compared with it exactly.");
            }
        }

        var proxies = options.TrustedProxies ?? [];
        for (var i = 0; i < proxies.Length; i++)
        {
            if (!System.Net.IPAddress.TryParse(proxies[i], out _))
            {
                failures.Add($"Security:TrustedProxies:{i} ('{proxies[i]}') must be an IP address such as 10.0.0.4.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
