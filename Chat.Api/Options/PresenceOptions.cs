namespace Chat.Api.Options;

/// <summary>
/// Who is in a room, and how fast a replica that dies without saying goodbye is noticed.
/// Configuration section <c>Presence</c>; see docs/protocol.md and docs/guarantees.md.
/// </summary>
public sealed class PresenceOptions
{
    public const string SectionName = "Presence";

    /// <summary>
    /// How long a replica's presence in a room outlives its last heartbeat: a killed replica's
    /// users are reported gone (with <c>leave</c> events) within this time plus one heartbeat.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often each replica renews its presence in the rooms it has members in, and sweeps expired replicas.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long join and leave events are held and coalesced before they are sent; a join and a
    /// leave of the same user inside one window cancel out.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Past this many changes in one window, members get one fresh <c>presence</c> snapshot instead of the events.</summary>
    public int MaxEventsPerWindow { get; set; } = 100;

    /// <summary>A user's <c>typing</c> frames are forwarded at most once per room in this time; the rest are dropped.</summary>
    public TimeSpan TypingInterval { get; set; } = TimeSpan.FromSeconds(2);
}
