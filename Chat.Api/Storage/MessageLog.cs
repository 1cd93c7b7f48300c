using Chat.Api.Identity;
using Chat.Api.Options;
using Chat.Api.Protocol;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Storage;

/// <summary>
/// A room's durable message log: one Redis stream per room. Appends go through one Lua script
/// that checks the idempotency key, XADDs and PUBLISHes atomically, so the order members receive
/// live messages in is the stream's order, and a message is published only if it was stored.
/// </summary>
public sealed class MessageLog(IConnectionMultiplexer redis, IOptions<ChatOptions> options)
{
    /// <summary>
    /// KEYS[1] stream, KEYS[2] dedupe key (only when the sender gave a client_id).
    /// ARGV: channel, maxlen, dedupe ttl (s), username, content, timestamp, client_id, frame prefix, frame suffix.
    /// Sent by SHA (EVALSHA) after the first call; StackExchange.Redis resends the text when Redis
    /// answers NOSCRIPT after a restart.
    /// </summary>
    private const string AppendScriptTemplate = """
        if KEYS[2] then
          local existing = redis.call('GET', KEYS[2])
          if existing then return existing end
        end
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'u', ARGV[4], 'c', ARGV[5], 't', ARGV[6], 'k', ARGV[7])
        if KEYS[2] then redis.call('SET', KEYS[2], id, 'EX', ARGV[3]) end
        redis.call('{publish}', ARGV[1], ARGV[8] .. id .. ARGV[9])
        return id
        """;

    /// <summary>
    /// The one place the publish command is named: SPUBLISH, so that on a Redis Cluster the
    /// message is published on the shard that stores it (RoomKeys.Channel is a sharded channel).
    /// </summary>
    private static readonly string s_appendScript = AppendScriptTemplate.Replace("{publish}", "SPUBLISH", StringComparison.Ordinal);

    private readonly ChatOptions _options = options.Value;

    private IDatabase Database => redis.GetDatabase();

    /// <summary>Stores and publishes a message and returns its id, or the id an earlier send with the same client id got.</summary>
    public async Task<string> AppendAsync(RoomKeys room, ChatUser user, string content, string? clientId, DateTime receivedAtUtc)
    {
        var timestamp = MessageJson.FormatTimestamp(receivedAtUtc);
        RedisKey[] keys = clientId is null ? [room.Messages] : [room.Messages, room.Dedupe(user, clientId)];
        RedisValue[] values =
        [
            room.Prefix,
            _options.RetentionPerRoom,
            (long)_options.IdempotencyWindow.TotalSeconds,
            user.Name,
            content,
            timestamp,
            clientId ?? "",
            PublishedMessage.CreatePrefix(receivedAtUtc),
            ServerFrames.MessageSuffix(room.RoomId, user.Name, content, timestamp, clientId),
        ];

        return (string)(await Database.ScriptEvaluateAsync(s_appendScript, keys, values))!;
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

    /// <summary>
    /// Whether every message after <paramref name="since"/> is still retained. Only MAXLEN trimming
    /// removes entries, always from the oldest end. If <paramref name="since"/> is at or after the
    /// oldest retained entry, nothing after it is gone. If it is older and entries were removed,
    /// some after it may be gone too: Redis 7.0 does not record which (XTRIM leaves
    /// max-deleted-entry-id alone), so the answer is a safe "no".
    /// </summary>
    public async Task<bool> IsRetainedAfterAsync(RoomKeys room, MessageId since)
    {
        if (!await Database.KeyExistsAsync(room.Messages))
        {
            return true;
        }

        var info = await Database.StreamInfoAsync(room.Messages);
        if (info.Length == 0 || MessageId.Parse((string)info.FirstEntry.Id!) <= since)
        {
            return true;
        }

        return info.EntriesAdded == info.Length;
    }

    private static RedisValue Exclusive(MessageId id) => "(" + id.ToString();

    private static List<ChatMessage> ToMessages(RoomKeys room, StreamEntry[] entries, bool reverse)
    {
        var messages = new List<ChatMessage>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[reverse ? entries.Length - 1 - i : i];
            string? username = null, content = null, timestamp = null, clientId = null;
            foreach (var field in entry.Values)
            {
                switch ((string?)field.Name)
                {
                    case "u": username = field.Value; break;
                    case "c": content = field.Value; break;
                    case "t": timestamp = field.Value; break;
                    case "k": clientId = field.Value.IsNullOrEmpty ? null : (string?)field.Value; break;
                }
            }

            messages.Add(new ChatMessage(entry.Id!, room.RoomId, username ?? "", content ?? "", timestamp ?? "", clientId));
        }

        return messages;
    }
}
