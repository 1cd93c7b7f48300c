using System.Text;
using Microsoft.Extensions.Options;

namespace Chat.Api.Options;

/// <summary>Rejects keys too short for HS256 and settings that make no sense, naming the key to fix.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    internal const int MinimumKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();

        if (Encoding.UTF8.GetByteCount(options.SigningKey ?? "") < MinimumKeyBytes)
        {
            failures.Add($"Auth:SigningKey must be at least {MinimumKeyBytes} bytes. The AppHost passes a generated " +
                "one; when running Chat.Api alone, set Auth__SigningKey or 'dotnet user-secrets set Auth:SigningKey <value>'.");
        }

        if (!string.IsNullOrEmpty(options.PreviousSigningKey))
        {
            if (Encoding.UTF8.GetByteCount(options.PreviousSigningKey) < MinimumKeyBytes)
            {
                failures.Add($"Auth:PreviousSigningKey must be at least {MinimumKeyBytes} bytes, or empty.");
            }
            else if (options.PreviousSigningKey == options.SigningKey)
            {
                failures.Add("Auth:PreviousSigningKey must differ from Auth:SigningKey; leave it empty when no rotation is under way.");
            }
        }

        if (options.TokenLifetime < TimeSpan.FromMinutes(1) || options.TokenLifetime > TimeSpan.FromDays(1))
        {
            failures.Add("Auth:TokenLifetime must be between 00:01:00 and 1.00:00:00.");
        }

        if (options.SessionIdleTimeout < options.TokenLifetime || options.SessionIdleTimeout > TimeSpan.FromDays(90))
        {
            failures.Add("Auth:SessionIdleTimeout must be at least Auth:TokenLifetime and at most 90.00:00:00.");
        }

        if (!string.IsNullOrEmpty(options.Authority))
        {
            if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            {
                failures.Add("Auth:Authority must be an absolute https:// URL of an OpenID Connect provider.");
            }
            else if (authority.Scheme == "http" && options.RequireHttpsMetadata)
            {
                failures.Add("Auth:Authority must use https://, unless Auth:RequireHttpsMetadata is false (tests and local providers only).");
            }

            if (string.IsNullOrEmpty(options.ProviderAudience))
            {
                failures.Add("Auth:ProviderAudience is required with Auth:Authority: the audience the provider's tokens are issued for.");
            }
        }
        else if (!options.GuestsEnabled)
        {
            failures.Add("Auth:GuestsEnabled is false and no Auth:Authority is set, so nobody could sign in.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
