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

    /// <summary>
    /// How long a client may take to send a request's headers, the WebSocket handshake's
    /// included (Kestrel's <c>RequestHeadersTimeout</c>; there is no separate handshake timeout).
    /// Kestrel's 30 s default lets a slow or stalled client hold a connection three times as long
    /// for nothing; a real handshake is a few hundred bytes sent at once.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
