using Microsoft.Extensions.Options;

namespace Chat.Api.Options;

/// <summary>Checks the <see cref="LimitsOptions"/> values that a range attribute cannot express, naming the key to fix.</summary>
internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    internal static readonly TimeSpan MinHandshakeTimeout = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxHandshakeTimeout = TimeSpan.FromMinutes(2);

    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        // Below a second a client on a slow link could not finish its headers; Kestrel only checks
        // once a second anyway. Above two minutes the limit protects nothing.
        if (options.HandshakeTimeout < MinHandshakeTimeout || options.HandshakeTimeout > MaxHandshakeTimeout)
        {
            return ValidateOptionsResult.Fail($"Limits:HandshakeTimeout ({options.HandshakeTimeout}) must be between {MinHandshakeTimeout} and {MaxHandshakeTimeout}.");
        }

        return ValidateOptionsResult.Success;
    }
}
