using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Options;

/// <summary>
/// Limits that protect the service as a whole. Configuration section <c>Limits</c>; the per-user
/// abuse limits of the security work belong here too.
/// </summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>
    /// Chat sockets one process holds at once. Past it a new handshake gets 503 with
    /// <c>Retry-After</c> (the client tries again, likely on another replica) instead of the
    /// process running out of file descriptors and Kestrel failing accepts.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxSocketsPerProcess { get; set; } = 15_000;
}
