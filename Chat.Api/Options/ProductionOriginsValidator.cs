using Microsoft.Extensions.Options;

namespace Chat.Api.Options;

/// <summary>
/// Outside Development, every allowed origin must be <c>https://</c>, loopback excepted. A deployed
/// frontend is served over HTTPS (the Container Apps ingress redirects plain HTTP), so its pages
/// send an <c>https://</c> Origin and an <c>http://</c> entry would refuse every browser; the likely
/// cause is a binding URL or a mistyped <c>web-origin</c>, and failing at start says so at once
/// instead of through 403s. Loopback stays allowed so a Production build still runs on a laptop.
/// </summary>
internal sealed class ProductionOriginsValidator(IHostEnvironment environment) : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        if (environment.IsDevelopment())
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        var origins = options.AllowedOrigins ?? [];
        for (var i = 0; i < origins.Length; i++)
        {
            if (Uri.TryCreate(origins[i], UriKind.Absolute, out var origin) && origin.Scheme == Uri.UriSchemeHttp && !origin.IsLoopback)
            {
                failures.Add($"Security:AllowedOrigins:{i} ('{origins[i]}') must be https:// outside Development " +
                    $"(environment '{environment.EnvironmentName}'): browsers send the deployed frontend's https:// origin. " +
                    "When deployed with azd, answer the web-origin parameter with the frontend's public https:// URL.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
