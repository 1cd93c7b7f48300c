using Chat.Api.Diagnostics;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// Expiry of the rooms directory: a room whose last activity (message, join, leave, creation) is
/// older than <c>Chat:DirectoryIdleTime</c> and that has nobody online (<c>HLEN</c> of its presence
/// hash) leaves the index. Run by the directory's first page, a bounded batch at a time, so it
/// needs no timer and no scan of keys. A room kept because someone is online keeps its true last
/// activity; this replica remembers how many such rooms head the idle end and starts past them
/// next time, so they cannot block the rest. Only the index entry goes: the room's history follows
/// <c>Chat:RetentionPerRoom</c>, and its next activity lists it again.
/// </summary>
public sealed class DirectoryTrim(IConnectionMultiplexer redis, IOptions<ChatOptions> options, TimeProvider time, ILogger<DirectoryTrim> logger)
{
    /// <summary>Idle rooms looked at per trim.</summary>
    internal const int BatchSize = 100;

    /// <summary>
    /// KEYS[1] the index. ARGV[1] the cutoff (ms), ARGV[2…] room ids. Removes each room whose score
    /// is still at or below the cutoff: one that was touched since it was read stays.
    /// </summary>
    private const string RemoveScript = """
        local removed = 0
        for i = 2, #ARGV do
          local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if score and tonumber(score) <= tonumber(ARGV[1]) then
            removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
          end
        end
        return removed
        """;

    private static readonly RedisKey[] s_indexKeys = [UserKeys.RoomActivity];

    private readonly TimeSpan _idleTime = options.Value.DirectoryIdleTime;

    // Idle rooms kept because someone was online, at the head of the idle end: skipped next time.
    private int _keptAhead;

    /// <summary>Removes up to <see cref="BatchSize"/> idle rooms nobody is online in; returns how many went.</summary>
    public async Task<long> RunAsync()
    {
        var database = redis.GetDatabase();
        var cutoff = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_idleTime.TotalMilliseconds;
        var skip = Volatile.Read(ref _keptAhead);
        var idle = await database.SortedSetRangeByScoreAsync(
            UserKeys.RoomActivity, double.NegativeInfinity, cutoff, Exclude.None, Order.Ascending, skip, BatchSize);
        if (idle.Length == 0)
        {
            Volatile.Write(ref _keptAhead, 0);
            return 0;
        }

        // One batch of HLENs: each on its room's slot, so never one script across rooms.
        var batch = database.CreateBatch();
        var online = new Task<long>[idle.Length];
        for (var i = 0; i < idle.Length; i++)
        {
            online[i] = batch.HashLengthAsync(new RoomKeys(idle[i]!).Online);
        }

        batch.Execute();
        await Task.WhenAll(online);

        var arguments = new List<RedisValue>(idle.Length + 1) { cutoff };
        for (var i = 0; i < idle.Length; i++)
        {
            if (online[i].Result == 0)
            {
                arguments.Add(idle[i]);
            }
        }

        var kept = idle.Length - (arguments.Count - 1);
        // A short read reached the end of the idle rooms: start from the oldest again next time.
        Volatile.Write(ref _keptAhead, idle.Length < BatchSize ? 0 : skip + kept);
        if (arguments.Count == 1)
        {
            return 0;
        }

        var removed = (long)await database.ScriptEvaluateAsync(RemoveScript, s_indexKeys, [.. arguments]);
        Log.DirectoryTrimmed(logger, removed, kept);
        return removed;
    }
}
