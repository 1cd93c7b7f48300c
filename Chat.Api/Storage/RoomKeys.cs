using Chat.Api.Identity;
using StackExchange.Redis;

namespace Chat.Api.Storage;

/// <summary>
/// Every Redis key and channel name, built here and nowhere else. A room's names share the hash
/// tag <c>{room_id}</c>, so on a Redis Cluster a room's stream, dedupe keys and (sharded) channel
/// live on one slot and the append script may touch them together; so do its access hash and
/// member set, which the room-access scripts check and create in one step, and its presence keys.
/// Names that are not a room's
/// (sessions, per-user limits, the control channel) are in <see cref="UserKeys"/>.
/// </summary>
public sealed class RoomKeys
{
    public RoomKeys(string roomId)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        RoomId = roomId;
        Prefix = $"chat:{{{roomId}}}";
        Messages = $"{Prefix}:messages";
        Meta = $"{Prefix}:meta";
        Access = $"{Prefix}:access";
        Members = $"{Prefix}:members";
        Online = $"{Prefix}:online";
        Lives = $"{Prefix}:lives";
        LifePrefix = $"{Prefix}:life:";
        // Sharded pub/sub (SSUBSCRIBE/SPUBLISH, Redis 7): on a cluster the channel lives on the
        // room's shard with its keys; on a single Redis it behaves like plain pub/sub.
        Channel = RedisChannel.Sharded(Prefix);
    }

    public string RoomId { get; }

    /// <summary><c>chat:{room}</c>: also the pub/sub channel's name.</summary>
    public string Prefix { get; }

    /// <summary>The room's message stream.</summary>
    public RedisKey Messages { get; }

    /// <summary>
    /// The room's bookkeeping hash: <c>e</c> is the epoch of the current stream incarnation, <c>s</c>
    /// is set once a stream exists under that epoch (so a stream that vanishes is noticed).
    /// </summary>
    public RedisKey Meta { get; }

    /// <summary>
    /// Who may enter: a hash with <c>private</c> (<c>1</c> or <c>0</c>) and <c>owner</c> (the
    /// creator's subject). A private room's hash never expires; a public room's is only a claim on
    /// the id (see <c>RoomAccess</c>) and expires like an empty room's meta.
    /// </summary>
    public RedisKey Access { get; }

    /// <summary>A private room's members: a set of subjects, the owner's included.</summary>
    public RedisKey Members { get; }

    /// <summary>
    /// Who is online in the room, on any replica: a hash of subject → <c>"&lt;sockets&gt; &lt;display name&gt;"</c>,
    /// the subject's open sockets in the room over all replicas, a space, and the name others see
    /// (the rest of the value; a provider's name may hold spaces). <c>HLEN</c> is the number of
    /// distinct users online. Kept by the presence scripts only (<c>PresenceStore</c>).
    /// </summary>
    public RedisKey Online { get; }

    /// <summary>
    /// The replica lives present in the room: a sorted set of life ids scored by when each expires
    /// (Redis time, ms) unless its replica renews it. An expired life is swept: its counts come
    /// off <see cref="Online"/> and its users who are left nowhere get <c>leave</c> events.
    /// </summary>
    public RedisKey Lives { get; }

    /// <summary>
    /// What <see cref="Life"/> names start with; the presence scripts build a swept life's key from
    /// it (same hash tag, so the same Cluster slot).
    /// </summary>
    public string LifePrefix { get; }

    /// <summary>
    /// A user's typing turn in the room: exists for <c>Presence:TypingInterval</c> after a typing
    /// signal went out, from whichever replica, so the interval holds across replicas.
    /// </summary>
    public RedisKey TypingTurn(string subject) => $"{Prefix}:typing:{subject}";

    /// <summary>One replica life's share of the room: a hash of subject → that life's sockets of the subject here.</summary>
    public RedisKey Life(string lifeId) => LifePrefix + lifeId;

    /// <summary>Where the append script publishes each new message, and presence scripts their events.</summary>
    public RedisChannel Channel { get; }

    /// <summary>
    /// Remembers the id a user's <c>client_id</c> produced, for the idempotency window. Keyed by
    /// subject, so a guest name taken again never matches an earlier holder's sends; subjects
    /// cannot contain ':', so subject and client id cannot be confused.
    /// </summary>
    public RedisKey Dedupe(ChatUser user, string clientId) => $"{Prefix}:dedupe:{user.Subject}:{clientId}";
}
