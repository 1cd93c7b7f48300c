using System.Text;
using Microsoft.Extensions.Options;

namespace Chat.Api.Options;

/// <summary>Rejects keys too short for HS256 and lifetimes that make no sense, naming the key to fix.</summary>
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

        if (options.TokenLifetime < TimeSpan.FromMinutes(1) || options.TokenLifetime > TimeSpan.FromDays(30))
        {
            failures.Add("Auth:TokenLifetime must be between 00:01:00 and 30.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
