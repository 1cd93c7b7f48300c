using Chat.Api.Identity;
using Chat.Api.Limits;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// Who may enter a room, and who creates rooms: asked at the handshake and by the rooms REST API,
/// never on the message path. Each question is one Lua script on the room's keys (one Cluster
/// slot): exists? private? member? A room exists while any of its keys does (meta, stream, access
/// hash, member set).
/// <para>
/// A handshake that finds no room claims the id as public in the same script (an access hash with
/// <c>private 0</c>), so a private room cannot be created under it between the check and the join.
/// Only then is the creator's daily quota counted (another slot, so another call); over it, the
/// claim is given back and the handshake refused.
/// </para>
/// </summary>
public sealed class RoomAccess(IConnectionMultiplexer redis, RoomQuota quota)
{
    /// <summary>
    /// KEYS: access, members, meta, stream. ARGV: subject, claim ('1' to claim a missing room as
    /// public), claim ttl (s). 0 the room did not exist (claimed when asked), 1 public, 2 private
    /// and a member, 3 private and not a member.
    /// </summary>
    private const string LookupScript = """
        local private = redis.call('HGET', KEYS[1], 'private')
        if private == '1' then
          if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 2 end
          return 3
        end
        if private or redis.call('EXISTS', KEYS[2], KEYS[3], KEYS[4]) > 0 then return 1 end
        if ARGV[2] == '1' then
          redis.call('HSET', KEYS[1], 'private', '0', 'owner', ARGV[1])
          redis.call('EXPIRE', KEYS[1], ARGV[3])
        end
        return 0
        """;

    /// <summary>
    /// KEYS: access, members, meta, stream. ARGV: owner subject, private ('1' or '0'), public ttl (s).
    /// 1 when created; 0 when any of the room's keys exists.
    /// </summary>
    private const string CreateScript = """
        if redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[3], KEYS[4]) > 0 then return 0 end
        redis.call('HSET', KEYS[1], 'private', ARGV[2], 'owner', ARGV[1])
        if ARGV[2] == '1' then
          redis.call('SADD', KEYS[2], ARGV[1])
        else
          redis.call('EXPIRE', KEYS[1], ARGV[3])
        end
        return 1
        """;

    /// <summary>
    /// KEYS: access, members, meta, stream. ARGV: subject. Undoes a claim or creation refused by
    /// the quota, unless the room was used meanwhile (someone joined or wrote).
    /// </summary>
    private const string ReleaseScript = """
        if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] and redis.call('EXISTS', KEYS[3], KEYS[4]) == 0 then
          return redis.call('DEL', KEYS[1], KEYS[2])
        end
        return 0
        """;

    /// <summary>
    /// KEYS: access, members, meta, stream. ARGV: caller subject, target subject ('' when the name
    /// is nobody's), 'add' or 'remove'. Returns a <see cref="MemberChange"/> name.
    /// </summary>
    private const string ChangeMemberScript = """
        local access = redis.call('HMGET', KEYS[1], 'private', 'owner')
        if not access[1] then
          if redis.call('EXISTS', KEYS[3], KEYS[4]) > 0 then return 'PublicRoom' end
          return 'UnknownRoom'
        end
        if access[1] ~= '1' then return 'PublicRoom' end
        if access[2] ~= ARGV[1] then return 'NotOwner' end
        if ARGV[2] == '' then return 'UnknownUser' end
        if ARGV[3] == 'add' then
          redis.call('SADD', KEYS[2], ARGV[2])
          return 'Done'
        end
        if ARGV[2] == access[2] then return 'OwnerCannotLeave' end
        redis.call('SREM', KEYS[2], ARGV[2])
        return 'Done'
        """;

    // A public room's claim lasts as long as an empty room's meta (MessageLog): a room nobody
    // wrote in is forgotten after a week, claimed or joined.
    private static readonly long s_publicClaimSeconds = (long)TimeSpan.FromDays(7).TotalSeconds;

    private IDatabase Database => redis.GetDatabase();

    /// <summary>
    /// The handshake's question: may <paramref name="user"/> join <paramref name="room"/>? A room
    /// that does not exist is created (public) and counted against the user's daily quota.
    /// Throws when Redis is unavailable for the room's lookup; the quota fails open, as every
    /// per-user limit does.
    /// </summary>
    public async Task<RoomEntry> EnterAsync(RoomKeys room, ChatUser user)
    {
        var found = await LookupAsync(room, user, claim: true);
        if (found == Found.NotMember)
        {
            return RoomEntry.NotMember;
        }

        if (found != Found.New)
        {
            return RoomEntry.Allowed;
        }

        return await TryCountCreationAsync(room, user) ? RoomEntry.Created : RoomEntry.OverQuota;
    }

    /// <summary>
    /// Gives back a room <see cref="EnterAsync"/> just created, and its place in the quota, when
    /// the handshake is refused after all (sockets per user, the replica's cap). Never throws.
    /// </summary>
    public async Task AbandonAsync(RoomKeys room, ChatUser user)
    {
        try
        {
            await Database.ScriptEvaluateAsync(ReleaseScript, Keys(room), [user.Subject]);
            if (quota.Enabled)
            {
                await quota.GiveBackAsync(user);
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // The claim lapses with its TTL and the count with its day.
        }
    }

    /// <summary>Whether <paramref name="user"/> may read <paramref name="room"/>: false only for a private room they are not a member of.</summary>
    public async Task<bool> MayReadAsync(RoomKeys room, ChatUser user) =>
        await LookupAsync(room, user, claim: false) != Found.NotMember;

    /// <summary>Creates a room owned by <paramref name="owner"/>, counted against their daily quota.</summary>
    public async Task<RoomCreation> CreateAsync(RoomKeys room, ChatUser owner, bool isPrivate)
    {
        var created = (int)await Database.ScriptEvaluateAsync(
            CreateScript, Keys(room), [owner.Subject, isPrivate ? "1" : "0", s_publicClaimSeconds]);
        if (created == 0)
        {
            return RoomCreation.Taken;
        }

        return await TryCountCreationAsync(room, owner) ? RoomCreation.Created : RoomCreation.OverQuota;
    }

    /// <summary>Adds <paramref name="memberSubject"/> (null: the name is nobody's) to <paramref name="owner"/>'s private room.</summary>
    public Task<MemberChange> AddMemberAsync(RoomKeys room, ChatUser owner, string? memberSubject) =>
        ChangeMemberAsync(room, owner, memberSubject, "add");

    /// <summary>
    /// Removes <paramref name="memberSubject"/> from <paramref name="owner"/>'s private room. The
    /// caller ends the member's open sockets (the control channel), which this does not.
    /// </summary>
    public Task<MemberChange> RemoveMemberAsync(RoomKeys room, ChatUser owner, string? memberSubject) =>
        ChangeMemberAsync(room, owner, memberSubject, "remove");

    private async Task<MemberChange> ChangeMemberAsync(RoomKeys room, ChatUser owner, string? memberSubject, string change) =>
        Enum.Parse<MemberChange>((string)(await Database.ScriptEvaluateAsync(
            ChangeMemberScript, Keys(room), [owner.Subject, memberSubject ?? "", change]))!);

    private async Task<Found> LookupAsync(RoomKeys room, ChatUser user, bool claim) =>
        (Found)(int)await Database.ScriptEvaluateAsync(
            LookupScript, Keys(room), [user.Subject, claim ? "1" : "", s_publicClaimSeconds]);

    /// <summary>Counts a room just claimed or created; over the quota, gives it back. True when the room stays.</summary>
    private async Task<bool> TryCountCreationAsync(RoomKeys room, ChatUser user)
    {
        try
        {
            if (!quota.Enabled || await quota.TryTakeAsync(user))
            {
                return true;
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // The subject's counter may live on another (unreachable) node; a limit must not turn
            // an outage into refusals.
            return true;
        }

        try
        {
            await Database.ScriptEvaluateAsync(ReleaseScript, Keys(room), [user.Subject]);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // The claim stays until it expires; the request is refused all the same.
        }

        return false;
    }

    private static RedisKey[] Keys(RoomKeys room) => [room.Access, room.Members, room.Meta, room.Messages];

    private enum Found
    {
        New = 0,
        Public = 1,
        Member = 2,
        NotMember = 3,
    }
}

/// <summary>The handshake's answer: join, 403, or 429.</summary>
public enum RoomEntry
{
    /// <summary>The room existed and the user may join.</summary>
    Allowed,

    /// <summary>The room did not exist; this handshake created it (public) and counted it.</summary>
    Created,

    NotMember,
    OverQuota,
}

/// <summary>What <c>POST /api/rooms</c> did: 201, 409 (the id is any existing room's), or 429.</summary>
public enum RoomCreation
{
    Created,
    Taken,
    OverQuota,
}

/// <summary>What a member change did; the names are what the change script returns.</summary>
public enum MemberChange
{
    Done,
    UnknownRoom,
    PublicRoom,
    NotOwner,
    UnknownUser,
    OwnerCannotLeave,
}
