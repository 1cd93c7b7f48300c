using Chat.Api.Identity;
using Chat.Api.Protocol;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// The read side of the rooms directory (<c>GET /api/rooms</c>): pages of the activity index
/// (<see cref="RoomActivity"/> writes it), newest first, as one user may see them. For each room
/// read from the index, one pipelined batch asks its access hash, its member set, its presence hash
/// and its stream's last entry: four commands per room, each on the room's own slot, so it works on
/// a Cluster and costs one round trip per batch, never one per room.
/// <para>
/// Private rooms of others are passed over, so a page may need more of the index than
/// <c>limit</c>: it reads on (each read twice the last) until the page is full, the index ends, or
/// <see cref="MaxScannedPerPage"/> rooms were passed; then it may hold fewer rooms than asked while
/// <c>next_cursor</c> still says there is more.
/// </para>
/// </summary>
public sealed class RoomDirectory(IConnectionMultiplexer redis)
{
    /// <summary>Index entries one page may read past at most, however many of them are hidden.</summary>
    public const int MaxScannedPerPage = 500;

    /// <summary>
    /// Up to <paramref name="limit"/> rooms visible to <paramref name="user"/>, from just after
    /// <paramref name="after"/> (the first page when null), newest activity first.
    /// </summary>
    public async Task<DirectoryPage> ReadPageAsync(ChatUser user, DirectoryCursor? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var database = redis.GetDatabase();
        var rooms = new List<DirectoryRoom>(limit);
        var position = after;
        // Whether the last room passed is one the user may not see: a cursor must not name it.
        var positionHidden = false;
        var take = limit + 1;
        var scanned = 0;
        long offset = 0;
        while (true)
        {
            var max = position is { } p ? p.ActivityMs : double.PositiveInfinity;
            var entries = await database.SortedSetRangeByScoreWithScoresAsync(
                UserKeys.RoomActivity, double.NegativeInfinity, max, Exclude.None, Order.Descending, offset, take);

            // The read starts at the cursor's score inclusive; rooms tied with the cursor that it
            // already passed come first (ties are ordered by id, descending) and are dropped here.
            var first = 0;
            while (first < entries.Length && position is { } passed && passed.HasPassed((long)entries[first].Score, (string)entries[first].Element!))
            {
                first++;
            }

            if (first == entries.Length)
            {
                if (entries.Length < take)
                {
                    return new DirectoryPage(rooms, null);
                }

                // A crowd of rooms tied at the cursor's millisecond: read past them.
                offset += entries.Length;
                continue;
            }

            offset = 0;
            var details = await ReadDetailsAsync(database, user, entries, first);
            for (var i = first; i < entries.Length; i++)
            {
                if (rooms.Count == limit || scanned == MaxScannedPerPage)
                {
                    // entries[i] exists, so there is more after the last room passed.
                    return new DirectoryPage(rooms, NextCursor(position!.Value, positionHidden));
                }

                var entry = entries[i];
                position = new DirectoryCursor((long)entry.Score, (string)entry.Element!);
                scanned++;
                positionHidden = details[i - first] is null;
                if (details[i - first] is { } room)
                {
                    rooms.Add(room);
                }
            }

            if (entries.Length < take)
            {
                return new DirectoryPage(rooms, null);
            }

            if (rooms.Count == limit || scanned == MaxScannedPerPage)
            {
                return new DirectoryPage(rooms, NextCursor(position!.Value, positionHidden));
            }

            // Hidden rooms were passed over: read on, more each time, one past what the bound allows.
            take = Math.Min(take * 2, MaxScannedPerPage - scanned + 1);
        }
    }

    /// <summary>
    /// The cursor after <paramref name="last"/>. A full page always ends on a room it lists; only
    /// the scan bound can stop on a hidden one, whose id the cursor then leaves out.
    /// </summary>
    private static string NextCursor(DirectoryCursor last, bool hidden) =>
        (hidden ? DirectoryCursor.WholeMillisecond(last.ActivityMs) : last).Encode();

    /// <summary>
    /// What the directory shows of each room in <paramref name="entries"/> from
    /// <paramref name="first"/> on, null where <paramref name="user"/> may not see it; one batch.
    /// </summary>
    private static async Task<DirectoryRoom?[]> ReadDetailsAsync(IDatabase database, ChatUser user, SortedSetEntry[] entries, int first)
    {
        var count = entries.Length - first;
        var access = new Task<RedisValue>[count];
        var member = new Task<bool>[count];
        var online = new Task<long>[count];
        var last = new Task<StreamEntry[]>[count];
        var batch = database.CreateBatch();
        for (var i = 0; i < count; i++)
        {
            var keys = new RoomKeys((string)entries[first + i].Element!);
            access[i] = batch.HashGetAsync(keys.Access, "private");
            member[i] = batch.SetContainsAsync(keys.Members, user.Subject);
            online[i] = batch.HashLengthAsync(keys.Online);
            last[i] = batch.StreamRangeAsync(keys.Messages, "-", "+", 1, Order.Descending);
        }

        batch.Execute();
        await Task.WhenAll(Task.WhenAll(access), Task.WhenAll(member), Task.WhenAll(online), Task.WhenAll(last));

        var rooms = new DirectoryRoom?[count];
        for (var i = 0; i < count; i++)
        {
            // No access hash: a room from before private rooms, or a public claim that expired.
            var isPrivate = access[i].Result == "1";
            if (isPrivate && !member[i].Result)
            {
                continue;
            }

            var entry = entries[first + i];
            rooms[i] = new DirectoryRoom(
                (string)entry.Element!,
                isPrivate,
                online[i].Result,
                MessageJson.FormatTimestamp(DateTime.UnixEpoch.AddMilliseconds((long)entry.Score)),
                last[i].Result is [var message] ? Preview(message) : null);
        }

        return rooms;
    }

    private static MessagePreview Preview(StreamEntry message) =>
        new(
            (string?)message["u"] ?? "",
            ContentPreview.Cut((string?)message["c"] ?? ""),
            (string?)message["t"] ?? "");
}

/// <summary>A page of the rooms directory; <see cref="NextCursor"/> is null at the end of the index.</summary>
public sealed record DirectoryPage(IReadOnlyList<DirectoryRoom> Rooms, string? NextCursor);

/// <summary>
/// One room in the directory: <see cref="Online"/> is how many subjects are connected to it
/// (presence), <see cref="LastActivity"/> its last message, join, leave or creation (UTC,
/// ISO-8601 with milliseconds), <see cref="LastMessage"/> null when the room has no message.
/// </summary>
public sealed record DirectoryRoom(string RoomId, bool Private, long Online, string LastActivity, MessagePreview? LastMessage);

/// <summary>A room's last message as the directory shows it: <see cref="Content"/> cut to 100 characters.</summary>
public sealed record MessagePreview(string Username, string Content, string Timestamp);
