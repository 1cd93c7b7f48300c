using Chat.Api.Options;
using Chat.Api.Protocol;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Storage;

/// <summary>
/// Presence in Redis, per room and per replica life (see <see cref="RoomKeys.Online"/>,
/// <see cref="RoomKeys.Lives"/>, <see cref="RoomKeys.Life"/>). Every change is one Lua script on
/// the room's slot that also sweeps expired lives first, and publishes <c>join</c>/<c>leave</c>
/// signals on the room's channel exactly when a subject's count over all replicas goes from 0 to
/// more or back. A replica writes absolute counts for its own life (never increments), so a
/// write after its life was swept (a frozen replica) restores it instead of going negative.
/// Redis 7.0 has no per-field expiry and its expiry notifications may come late, so expiry is
/// this sweep's decision, by Redis's clock (<c>TIME</c>), never a key's TTL.
/// </summary>
public sealed class PresenceStore(IConnectionMultiplexer redis, IOptions<PresenceOptions> options)
{
    /// <summary>
    /// Shared by every script. KEYS[1] online, KEYS[2] lives; ARGV[1] channel, ARGV[2] life key
    /// prefix. Defines <c>now</c> (Redis time, ms), <c>setTotal</c> and <c>drop</c>, then drops every
    /// expired life. Life keys are built from the prefix: they share the room's hash tag, so on a
    /// Cluster they are on the script's slot.
    /// </summary>
    private const string SweepLua = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function total(value)
          if not value then return 0, nil end
          local space = string.find(value, ' ', 1, true)
          return tonumber(string.sub(value, 1, space - 1)), string.sub(value, space + 1)
        end
        local function setTotal(subject, delta, name)
          local value = redis.call('HGET', KEYS[1], subject)
          local before, known = total(value)
          local after = before + delta
          name = name or known
          if after > 0 then
            redis.call('HSET', KEYS[1], subject, after .. ' ' .. name)
            if before <= 0 then redis.call('SPUBLISH', ARGV[1], '!j ' .. subject .. ' ' .. name) end
          elseif value then
            redis.call('HDEL', KEYS[1], subject)
            redis.call('SPUBLISH', ARGV[1], '!l ' .. subject .. ' ' .. name)
          end
        end
        local function drop(life)
          local lifeKey = ARGV[2] .. life
          local entries = redis.call('HGETALL', lifeKey)
          for i = 1, #entries, 2 do setTotal(entries[i], -tonumber(entries[i + 1]), nil) end
          redis.call('DEL', lifeKey)
          redis.call('ZREM', KEYS[2], life)
        end
        for _, life in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do drop(life) end
        """;

    /// <summary>
    /// KEYS: online, lives, this life. ARGV: channel, life prefix, life id, ttl (ms), the replica's
    /// life prefix (<c>&lt;instance&gt;:</c>), this life's start (ms), then triples of subject, name,
    /// this life's socket count of the subject (0 to remove). A life new to the room first drops
    /// older lives of the same replica name: a restarted replica's previous life says goodbye at
    /// once instead of after the TTL. Returns 1 when the life was not registered in the room
    /// before (the caller then indexes the room).
    /// </summary>
    private const string ApplyScript = SweepLua + "\n" + """
        local fresh = redis.call('ZSCORE', KEYS[2], ARGV[3]) == false
        if fresh then
          for _, life in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
            if string.sub(life, 1, #ARGV[5]) == ARGV[5] and tonumber(string.match(life, ':(%d+)$') or ARGV[6]) < tonumber(ARGV[6]) then drop(life) end
          end
        end
        for i = 7, #ARGV, 3 do
          local subject, count = ARGV[i], tonumber(ARGV[i + 2])
          local old = tonumber(redis.call('HGET', KEYS[3], subject) or '0')
          if count > 0 then redis.call('HSET', KEYS[3], subject, count) else redis.call('HDEL', KEYS[3], subject) end
          if count ~= old then setTotal(subject, count - old, ARGV[i + 1]) end
        end
        if redis.call('EXISTS', KEYS[3]) == 1 then
          redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[3])
          if fresh then return 1 end
        else
          redis.call('ZREM', KEYS[2], ARGV[3])
        end
        return 0
        """;

    /// <summary>
    /// KEYS: online, lives. ARGV: channel, life prefix, life id, ttl (ms). Sweeps, then renews the
    /// life. 0 when the life was gone (expired and swept, the replica having been frozen or cut
    /// off): the caller restores its counts with <see cref="ApplyScript"/>.
    /// </summary>
    private const string RenewScript = SweepLua + "\n" + """
        if redis.call('ZSCORE', KEYS[2], ARGV[3]) then
          redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[3])
          return 1
        end
        return 0
        """;

    /// <summary>KEYS: online, lives. ARGV: channel, life prefix. Sweeps, then returns the lives left and every online value.</summary>
    private const string ReadScript = SweepLua + "\n" + """
        return {redis.call('ZCARD', KEYS[2]), redis.call('HGETALL', KEYS[1])}
        """;

    /// <summary>KEYS: online, lives. ARGV: channel, life prefix, life id. Removes one life at once (a replica stopping).</summary>
    private const string DropScript = SweepLua + "\n" + """
        drop(ARGV[3])
        return 0
        """;

    /// <summary>KEYS[1] the user's typing turn in the room. ARGV: channel, interval (ms), signal. Publishes when the turn was free.</summary>
    private const string TypingScript = """
        if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then
          redis.call('SPUBLISH', ARGV[1], ARGV[3])
          return 1
        end
        return 0
        """;

    /// <summary>KEYS: the room index. ARGV: room id, now (ms). Forgets the room unless a replica renewed it meanwhile.</summary>
    private const string ForgetRoomScript = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if score and tonumber(score) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
        return 0
        """;

    private readonly PresenceOptions _options = options.Value;

    private IDatabase Database => redis.GetDatabase();

    private long TtlMs => (long)_options.Ttl.TotalMilliseconds;

    /// <summary>
    /// Sets this life's socket counts of <paramref name="counts"/>' subjects in the room (absolute,
    /// 0 removes), publishing join and leave signals for subjects that appear or vanish over all
    /// replicas. True when this life was not registered in the room before.
    /// </summary>
    public async Task<bool> ApplyAsync(RoomKeys room, ReplicaLife life, IReadOnlyCollection<PresenceCount> counts)
    {
        var values = new RedisValue[6 + 3 * counts.Count];
        values[0] = room.Prefix;
        values[1] = room.LifePrefix;
        values[2] = life.Id;
        values[3] = TtlMs;
        values[4] = life.ReplicaPrefix;
        values[5] = life.StartedAtMs;
        var i = 6;
        foreach (var count in counts)
        {
            values[i++] = count.Subject;
            values[i++] = count.Name;
            values[i++] = count.Sockets;
        }

        return (int)await Database.ScriptEvaluateAsync(ApplyScript, [room.Online, room.Lives, room.Life(life.Id)], values) == 1;
    }

    /// <summary>Renews this life in the room after sweeping expired ones; false when the life had been swept.</summary>
    public async Task<bool> RenewAsync(RoomKeys room, string lifeId) =>
        (int)await Database.ScriptEvaluateAsync(RenewScript, [room.Online, room.Lives], [room.Prefix, room.LifePrefix, lifeId, TtlMs]) == 1;

    /// <summary>
    /// Who is online in the room, swept first: display names sorted case-insensitively, the
    /// subjects they belong to, and how many replica lives are left there.
    /// </summary>
    public async Task<(long Lives, List<string> Users, HashSet<string> Subjects)> ReadAsync(RoomKeys room)
    {
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(ReadScript, [room.Online, room.Lives], [room.Prefix, room.LifePrefix]))!;
        var pairs = (RedisValue[])result[1]!;
        var users = new List<string>(pairs.Length / 2);
        var subjects = new HashSet<string>(pairs.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            subjects.Add((string)pairs[i]!);
            var text = (string)pairs[i + 1]!;
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            users.Add(space < 0 ? text : text[(space + 1)..]);
        }

        users.Sort(StringComparer.OrdinalIgnoreCase);
        return ((long)result[0], users, subjects);
    }

    /// <summary>Removes this life from the room at once, with leave signals: a graceful stop.</summary>
    public Task DropAsync(RoomKeys room, string lifeId) =>
        Database.ScriptEvaluateAsync(DropScript, [room.Online, room.Lives], [room.Prefix, room.LifePrefix, lifeId]);

    /// <summary>
    /// Publishes a typing signal on the room's channel unless the user's turn key says one went out
    /// within the interval, from any replica; nothing else is stored. One script on the room's slot
    /// (the turn key and the channel share its hash tag).
    /// </summary>
    public Task PublishTypingAsync(RoomKeys room, string subject, string name) =>
        _options.TypingInterval <= TimeSpan.Zero
            ? Database.PublishAsync(room.Channel, PresenceSignal.Typing(subject, name))
            : Database.ScriptEvaluateAsync(
                TypingScript,
                [room.TypingTurn(subject)],
                [room.Prefix, (long)_options.TypingInterval.TotalMilliseconds, PresenceSignal.Typing(subject, name)]);

    /// <summary>Marks <paramref name="roomIds"/> as having presence renewed until <paramref name="nowMs"/> plus the TTL.</summary>
    public Task IndexAsync(IReadOnlyCollection<string> roomIds, long nowMs)
    {
        var expiry = nowMs + TtlMs;
        var entries = new SortedSetEntry[roomIds.Count];
        var i = 0;
        foreach (var roomId in roomIds)
        {
            entries[i++] = new SortedSetEntry(roomId, expiry);
        }

        return entries.Length == 0 ? Task.CompletedTask : Database.SortedSetAddAsync(UserKeys.PresenceRooms, entries);
    }

    /// <summary>Rooms nobody renewed presence in for the TTL, up to <paramref name="max"/>: their lives are all dead, or the room is empty.</summary>
    public async Task<string[]> ExpiredRoomsAsync(long nowMs, int max)
    {
        var ids = await Database.SortedSetRangeByScoreAsync(UserKeys.PresenceRooms, double.NegativeInfinity, nowMs, take: max);
        return Array.ConvertAll(ids, id => (string)id!);
    }

    /// <summary>Drops a room from the index unless it was renewed after <paramref name="nowMs"/>.</summary>
    public Task ForgetRoomAsync(string roomId, long nowMs) =>
        Database.ScriptEvaluateAsync(ForgetRoomScript, [UserKeys.PresenceRooms], [roomId, nowMs]);
}

/// <summary>
/// One replica process's life: <c>&lt;instance&gt;:&lt;pid&gt;:&lt;start ms&gt;</c>. A restart is a new
/// life of the same instance, so its older lives can be told apart and dropped.
/// </summary>
public sealed record ReplicaLife(string Instance, int ProcessId, long StartedAtMs)
{
    public string Id { get; } = $"{Instance}:{ProcessId}:{StartedAtMs}";

    /// <summary>What every life of this replica name starts with.</summary>
    public string ReplicaPrefix { get; } = Instance + ":";
}

/// <summary>One subject's sockets in a room on this replica life, as <see cref="PresenceStore.ApplyAsync"/> writes it.</summary>
public readonly record struct PresenceCount(string Subject, string Name, int Sockets);
