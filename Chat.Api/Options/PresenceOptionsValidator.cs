using Microsoft.Extensions.Options;

namespace Chat.Api.Options;

/// <summary>Checks the <see cref="PresenceOptions"/> values and their relations, naming the key to fix.</summary>
internal sealed class PresenceOptionsValidator : IValidateOptions<PresenceOptions>
{
    internal static readonly TimeSpan MaxWindow = TimeSpan.FromSeconds(1);

    public ValidateOptionsResult Validate(string? name, PresenceOptions options)
    {
        var failures = new List<string>();
        if (options.HeartbeatInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add($"Presence:HeartbeatInterval ({options.HeartbeatInterval}) must be at least 00:00:00.1.");
        }

        // A replica must renew at least once before its presence expires, or every live
        // replica's users would flap (leave, then join) at every heartbeat.
        if (options.Ttl <= options.HeartbeatInterval)
        {
            failures.Add($"Presence:Ttl ({options.Ttl}) must be longer than Presence:HeartbeatInterval ({options.HeartbeatInterval}); three intervals or more is safe.");
        }

        // The protocol promises events at most a second late.
        if (options.Window <= TimeSpan.Zero || options.Window > MaxWindow)
        {
            failures.Add($"Presence:Window ({options.Window}) must be more than zero and at most {MaxWindow}.");
        }

        if (options.MaxEventsPerWindow < 1)
        {
            failures.Add($"Presence:MaxEventsPerWindow ({options.MaxEventsPerWindow}) must be at least 1.");
        }

        if (options.TypingInterval < TimeSpan.Zero)
        {
            failures.Add($"Presence:TypingInterval ({options.TypingInterval}) must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
