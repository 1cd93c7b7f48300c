using Chat.Api.Options;
using Chat.Api.Protocol;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Storage;

/// <summary>
/// A room's durable message log: one Redis stream per room, plus its epoch. Appends go through
/// one Lua script that checks the idempotency key, XADDs and SPUBLISHes atomically, so the order
/// members receive live messages in is the stream's order, and a message is published only if it
/// was stored. Joins go through a second script that reads the epoch and the history in one step,
/// so a resume can never see a trim between its check and its read.
/// </summary>
public sealed class MessageLog(IConnectionMultiplexer redis, IOptions<ChatOptions> options)
{
    /// <summary>
    /// Shared by both scripts: find the epoch, and start a new one when the room has none or its
    /// stream vanished under it. Expects <c>meta</c> (HMGET e s) and <c>streamExists</c>; sets <c>epoch</c>.
    /// </summary>
    private const string EpochLua = """
        local epoch = meta[1]
        if not epoch or (meta[2] and not streamExists) then
          local t = redis.call('TIME')
          epoch = ARGV[1] .. t[1] .. string.format('%06d', tonumber(t[2]))
          if streamExists then
            redis.call('HSET', KEYS[2], 'e', epoch, 's', '1')
            redis.call('PERSIST', KEYS[2])
          else
            redis.call('HSET', KEYS[2], 'e', epoch)
            redis.call('HDEL', KEYS[2], 's')
            redis.call('EXPIRE', KEYS[2], ARGV[2])
          end
        end
        """;

    /// <summary>
    /// Appends a batch of a room's messages in one call (see <see cref="AppendBatcher"/>).
    /// KEYS[1] stream, KEYS[2] meta, then one dedupe key per message that has a client_id, in
    /// order. ARGV: epoch seed, empty-room epoch ttl (s), channel, maxlen, dedupe ttl (s), message
    /// count; then per message <see cref="ArgsPerMessage"/> values: username, content, timestamp,
    /// client_id ('' for none), publish prefix (receive ticks and a space), frame suffix.
    /// Each message is handled exactly as a lone one would be, in order: a client_id already
    /// stored answers its id again (one in this same batch included), else XADD and remember it.
    /// The stored ones are published together, one <c>ticks epoch prev frame</c> line each (see
    /// <see cref="PublishedMessage"/>): the previous id chains them, so every replica still
    /// notices a message it never received. The dedupe key remembers <c>epoch id</c>, so an id
    /// from a lost stream incarnation is never acked again, while a lost meta key alone does not
    /// double a retry. Returns the ids, one per message, in order. Sent by SHA (EVALSHA) after the
    /// first call; StackExchange.Redis resends the text when Redis answers NOSCRIPT after a restart.
    /// </summary>
    private const string AppendScript = "local meta = redis.call('HMGET', KEYS[2], 'e', 's')\n"
        + "local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]\n"
        + "local streamExists = last ~= nil\n"
        + EpochLua + "\n"
        + """
        local marked = meta[2] and streamExists
        local prev = last and last[1] or '0-0'
        local ids, lines = {}, {}
        local key = 3
        for i = 0, tonumber(ARGV[6]) - 1 do
          local a = 7 + i * 6
          local dedupe, known = nil, nil
          if ARGV[a + 3] ~= '' then
            dedupe = KEYS[key]
            key = key + 1
            local existing = redis.call('GET', dedupe)
            if existing then
              local space = string.find(existing, ' ', 1, true)
              if space then
                local id = string.sub(existing, space + 1)
                -- The same incarnation; or the epoch was lost (the meta key alone) while the entry
                -- is still in the stream. Either way the message is stored: ack its id again.
                if string.sub(existing, 1, space - 1) == epoch or redis.call('XRANGE', KEYS[1], id, id)[1] then known = id end
              end
            end
          end
          if known then
            ids[i + 1] = known
          else
            if not marked then
              redis.call('HSET', KEYS[2], 's', '1')
              redis.call('PERSIST', KEYS[2])
              marked = true
            end
            local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'u', ARGV[a], 'c', ARGV[a + 1], 't', ARGV[a + 2], 'k', ARGV[a + 3])
            if dedupe then redis.call('SET', dedupe, epoch .. ' ' .. id, 'EX', ARGV[5]) end
            lines[#lines + 1] = ARGV[a + 4] .. epoch .. ' ' .. prev .. ' {"type":"message","message":{"id":"' .. id .. ARGV[a + 5]
            prev = id
            ids[i + 1] = id
          end
        end
        if #lines > 0 then redis.call('SPUBLISH', ARGV[3], table.concat(lines, '\n')) end
        return ids
        """;

    /// <summary>Script arguments before the per-message ones.</summary>
    private const int SharedArgs = 6;

    /// <summary>Script arguments per message.</summary>
    private const int ArgsPerMessage = 6;

    /// <summary>
    /// KEYS[1] stream, KEYS[2] meta. ARGV: epoch seed, empty-room epoch ttl (s), history count,
    /// since ('' on a fresh join), the client's epoch ('' when it gave none), resume count.
    /// Returns <c>{epoch, status, entries}</c>: status 1 with the entries after <c>since</c> when
    /// they follow it without a hole (the entry <c>since</c> itself is still in this incarnation),
    /// else 0 (resume refused) or -1 (fresh join) with the newest entries, newest first.
    /// </summary>
    private const string JoinScript = "local meta = redis.call('HMGET', KEYS[2], 'e', 's')\n"
        + "local streamExists = redis.call('EXISTS', KEYS[1]) == 1\n"
        + EpochLua + "\n"
        + """
        if ARGV[4] ~= '' then
          if ARGV[5] == '' or ARGV[5] == epoch then
            local entries = redis.call('XRANGE', KEYS[1], ARGV[4], '+', 'COUNT', tonumber(ARGV[6]) + 1)
            if entries[1] and entries[1][1] == ARGV[4] then
              table.remove(entries, 1)
              return {epoch, 1, entries}
            end
          end
          return {epoch, 0, redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[3])}
        end
        return {epoch, -1, redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[3])}
        """;

    /// <summary>How long the epoch of a room that never got a message is kept.</summary>
    private static readonly long s_emptyRoomEpochSeconds = (long)TimeSpan.FromDays(7).TotalSeconds;

    private static readonly RedisValue s_epochSeed = Epoch.CreateSeed();

    private readonly ChatOptions _options = options.Value;

    private IDatabase Database => redis.GetDatabase();

    /// <summary>
    /// Stores and publishes a room's messages in one script call, in order, and returns their ids
    /// (for a client_id stored before, the id it got then). Call through <see cref="AppendBatcher"/>.
    /// </summary>
    public async Task<RedisValue[]> AppendAsync(RoomKeys room, IReadOnlyList<PendingAppend> messages)
    {
        var dedupeKeys = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            dedupeKeys += messages[i].ClientId is null ? 0 : 1;
        }

        var keys = new RedisKey[2 + dedupeKeys];
        keys[0] = room.Messages;
        keys[1] = room.Meta;
        var values = new RedisValue[SharedArgs + ArgsPerMessage * messages.Count];
        values[0] = s_epochSeed;
        values[1] = s_emptyRoomEpochSeconds;
        values[2] = room.Prefix;
        values[3] = _options.RetentionPerRoom;
        values[4] = (long)_options.IdempotencyWindow.TotalSeconds;
        values[5] = messages.Count;
        var key = 2;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.ClientId is not null)
            {
                keys[key++] = room.Dedupe(message.User, message.ClientId);
            }

            var at = SharedArgs + i * ArgsPerMessage;
            values[at] = message.User.Name;
            values[at + 1] = message.Content;
            values[at + 2] = message.Timestamp;
            values[at + 3] = message.ClientId ?? "";
            values[at + 4] = message.PublishPrefix;
            values[at + 5] = message.FrameSuffix;
        }

        return (RedisValue[])(await Database.ScriptEvaluateAsync(AppendScript, keys, values))!;
    }

    /// <summary>
    /// What a joining member is sent first, read atomically with the epoch. With
    /// <paramref name="since"/>: the messages after it when this incarnation still holds it (and
    /// <paramref name="clientEpoch"/>, when given, is this incarnation), else the newest history.
    /// </summary>
    public async Task<JoinSnapshot> JoinAsync(RoomKeys room, MessageId? since, string? clientEpoch, int historyLength, int resumeCount)
    {
        RedisValue[] values =
        [
            s_epochSeed,
            s_emptyRoomEpochSeconds,
            historyLength,
            since?.ToString() ?? "",
            clientEpoch ?? "",
            resumeCount,
        ];
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(JoinScript, [room.Messages, room.Meta], values))!;
        var status = (int)result[1];
        var entries = (RedisResult[])result[2]!;
        var messages = new List<ChatMessage>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            // Resumed entries come oldest first, history newest first.
            messages.Add(ToMessage(room, (RedisResult[])entries[status == 1 ? i : entries.Length - 1 - i]!));
        }

        return new JoinSnapshot(
            (string)result[0]!,
            status switch { 1 => true, 0 => false, _ => null },
            messages,
            MayHaveMore: status == 1 && entries.Length >= resumeCount);
    }

    /// <summary>The room's epoch (created if it has none) and its newest id, or <see cref="MessageId.None"/>.</summary>
    public async Task<(string Epoch, MessageId Last)> ReadTailAsync(RoomKeys room)
    {
        var snapshot = await JoinAsync(room, since: null, clientEpoch: null, historyLength: 1, resumeCount: 1);
        return (snapshot.Epoch, snapshot.Messages.Count > 0 ? MessageId.Parse(snapshot.Messages[^1].Id) : MessageId.None);
    }

    /// <summary>
    /// Up to <paramref name="count"/> messages from <paramref name="from"/> to <paramref name="to"/>,
    /// both inclusive, oldest first. Callers check that the first is <paramref name="from"/>: if it
    /// is not, it was trimmed and what followed it may be gone too.
    /// </summary>
    public async Task<List<ChatMessage>> ReadRangeAsync(RoomKeys room, MessageId from, MessageId? to, int count)
    {
        var entries = await Database.StreamRangeAsync(
            room.Messages, from == MessageId.None ? "-" : from.ToString(), to?.ToString() ?? "+", count, Order.Ascending);
        return ToMessages(room, entries, reverse: false);
    }

    /// <summary>The newest <paramref name="count"/> messages, oldest first.</summary>
    public async Task<List<ChatMessage>> ReadLatestAsync(RoomKeys room, int count)
    {
        var entries = await Database.StreamRangeAsync(room.Messages, "-", "+", count, Order.Descending);
        return ToMessages(room, entries, reverse: true);
    }

    /// <summary>Up to <paramref name="count"/> messages after <paramref name="after"/> (exclusive), oldest first.</summary>
    public async Task<List<ChatMessage>> ReadAfterAsync(RoomKeys room, MessageId after, MessageId? before, int count)
    {
        var entries = await Database.StreamRangeAsync(
            room.Messages, Exclusive(after), before is { } b ? Exclusive(b) : "+", count, Order.Ascending);
        return ToMessages(room, entries, reverse: false);
    }

    /// <summary>Up to <paramref name="count"/> messages before <paramref name="before"/> (exclusive), oldest first.</summary>
    public async Task<List<ChatMessage>> ReadBeforeAsync(RoomKeys room, MessageId before, int count)
    {
        var entries = await Database.StreamRangeAsync(room.Messages, "-", Exclusive(before), count, Order.Descending);
        return ToMessages(room, entries, reverse: true);
    }

    private static RedisValue Exclusive(MessageId id) => "(" + id.ToString();

    private static List<ChatMessage> ToMessages(RoomKeys room, StreamEntry[] entries, bool reverse)
    {
        var messages = new List<ChatMessage>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[reverse ? entries.Length - 1 - i : i];
            var fields = new StoredFields();
            foreach (var field in entry.Values)
            {
                fields.Set(field.Name, field.Value);
            }

            messages.Add(fields.ToMessage(entry.Id!, room));
        }

        return messages;
    }

    /// <summary>A stream entry as a script returns it: <c>[id, [name, value, …]]</c>.</summary>
    private static ChatMessage ToMessage(RoomKeys room, RedisResult[] entry)
    {
        var values = (RedisValue[])entry[1]!;
        var fields = new StoredFields();
        for (var i = 0; i + 1 < values.Length; i += 2)
        {
            fields.Set(values[i], values[i + 1]);
        }

        return fields.ToMessage((string)entry[0]!, room);
    }

    /// <summary>The stream fields: <c>u</c> username, <c>c</c> content, <c>t</c> timestamp, <c>k</c> client id or empty.</summary>
    private ref struct StoredFields
    {
        private string? _username, _content, _timestamp, _clientId;

        public void Set(RedisValue name, RedisValue value)
        {
            switch ((string?)name)
            {
                case "u": _username = value; break;
                case "c": _content = value; break;
                case "t": _timestamp = value; break;
                case "k": _clientId = value.IsNullOrEmpty ? null : (string?)value; break;
            }
        }

        public readonly ChatMessage ToMessage(string id, RoomKeys room) =>
            new(id, room.RoomId, _username ?? "", _content ?? "", _timestamp ?? "", _clientId);
    }
}

/// <summary>
/// What a join reads: the room's epoch, whether a resume was granted (null on a fresh join), the
/// messages to send first (oldest first), and whether a granted resume may continue past them.
/// </summary>
public sealed record JoinSnapshot(string Epoch, bool? Recovered, List<ChatMessage> Messages, bool MayHaveMore);
