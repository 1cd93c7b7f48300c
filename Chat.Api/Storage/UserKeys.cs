using StackExchange.Redis;

namespace Chat.Api.Storage;

/// <summary>
/// Every Redis key and channel name that is not a room's (those are in <see cref="RoomKeys"/>):
/// guest sessions, per-subject limits, the rooms directory's index and the service-wide control channel. Each key is used alone
/// (never with another key in one script), so on a Redis Cluster it may live on any slot; the hash
/// tag keeps a subject's keys together anyway.
/// </summary>
public static class UserKeys
{
    /// <summary>
    /// A guest session, which is also the reservation of its name: a hash with <c>sub</c>,
    /// <c>sid</c>, <c>name</c> (as typed) and <c>rt</c> (the refresh secret's hash), expiring after
    /// the idle time. One key per folded name, so "reserved while signed in" is one key's existence.
    /// </summary>
    public static RedisKey GuestSession(string foldedName) => $"chat:guest:{{{foldedName}}}";

    /// <summary>When a provider's user last signed out (Unix seconds): their earlier tokens are refused.</summary>
    public static RedisKey SignedOut(string subject) => $"chat:user:{{{subject}}}:signed-out";

    /// <summary>A subject's message-rate state (the GCRA's theoretical arrival time, in ms).</summary>
    public static RedisKey MessageRate(string subject) => $"chat:user:{{{subject}}}:rate";

    /// <summary>A subject's open sockets on every replica: a sorted set of socket ids scored by lease expiry.</summary>
    public static RedisKey Sockets(string subject) => $"chat:user:{{{subject}}}:sockets";

    /// <summary>How many rooms a subject created on <paramref name="day"/> (UTC, yyyyMMdd).</summary>
    public static RedisKey RoomsCreated(string subject, string day) => $"chat:user:{{{subject}}}:created:{day}";

    /// <summary>Guest tokens issued to one client address in the current minute.</summary>
    public static RedisKey TokensIssued(string address) => $"chat:addr:{{{address}}}:tokens";

    /// <summary>
    /// The rooms directory's index: a sorted set of room ids scored by their last activity (Unix
    /// ms: a message, a join, a leave, a creation). One global key, so it never shares a room's
    /// slot: it is written beside the room's scripts (pipelined), never inside them.
    /// </summary>
    public static readonly RedisKey RoomActivity = "chat:rooms:activity";

    /// <summary>
    /// Rooms with presence in Redis: a sorted set of room ids scored by when (ms, replica clock) no
    /// replica has renewed its presence there for <c>Presence:Ttl</c>. Every replica sweeps the
    /// expired ones, so a room whose only replica was killed loses its ghosts too, with nobody in
    /// it to notice. Global, so never in a script with a room's keys.
    /// </summary>
    public static readonly RedisKey PresenceRooms = "chat:presence:rooms";

    /// <summary>
    /// Service-wide notices every replica acts on: a sign-out (close the subject's sockets) and a
    /// member's removal from a private room. Plain (not sharded) pub/sub, so on a Cluster it reaches
    /// every node's subscribers.
    /// </summary>
    public static readonly RedisChannel Control = RedisChannel.Literal("chat:control");
}
