using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Options;

/// <summary>
/// Abuse limits and the limits that protect the service as a whole. Configuration section
/// <c>Limits</c>. Every per-user limit keeps its state in Redis, so it holds across replicas; see
/// docs/security.md. <see cref="Enabled"/> switches the per-user ones off (load tests).
/// </summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>
    /// Whether the per-user limits apply (message rate, guest tokens per address, sockets per
    /// user, rooms created per day). The per-process socket cap always applies.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Messages a user may send per second, on all replicas together, once the burst is spent.</summary>
    [Range(0.01, 100_000)]
    public double MessagesPerSecond { get; set; } = 10;

    /// <summary>Messages a user may send at once after being quiet.</summary>
    [Range(1, 100_000)]
    public int MessageBurst { get; set; } = 20;

    /// <summary>A socket refused more than this many times within <see cref="RefusalWindow"/> is closed with 1008.</summary>
    [Range(1, 1_000_000)]
    public int RefusalsBeforeClose { get; set; } = 100;

    public TimeSpan RefusalWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Guest tokens one client address may get per minute; past it, 429 with <c>Retry-After</c>.</summary>
    [Range(1, 1_000_000)]
    public int GuestTokensPerMinute { get; set; } = 20;

    /// <summary>Sockets one user may hold at once on all replicas together; the next gets 429.</summary>
    [Range(1, 100_000)]
    public int SocketsPerUser { get; set; } = 10;

    /// <summary>
    /// How long a socket's place among its user's <see cref="SocketsPerUser"/> outlives the replica
    /// holding it: replicas renew their places every third of it, so a killed replica's sockets stop
    /// counting after at most this long.
    /// </summary>
    public TimeSpan SocketLeaseTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Rooms one user may create per UTC day, by joining a room that does not exist or with
    /// <c>POST /api/rooms</c>; joining a room that exists never counts. Past it, 429 until midnight UTC.
    /// </summary>
    [Range(1, 1_000_000)]
    public int RoomsPerDay { get; set; } = 20;

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
