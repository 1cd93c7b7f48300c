using System.Net;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;
using StackExchange.Redis;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/protocol.md, "Rooms directory". The index is one global key shared by every test's rooms in
/// this app, so each test makes rooms of its own and checks where they stand relative to each other.
/// Presence is not asserted here: the online count is the length of the room's presence hash, which
/// these tests set directly.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class RoomDirectoryTests(ChatAppFixture app)
{
    [Fact]
    public async Task Rooms_come_newest_activity_first()
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("walker"));
        // Ids in ascending order, so that even a tie in milliseconds (broken by id, descending)
        // agrees with the order the test expects.
        var prefix = TestRooms.New("dir-order");
        string[] rooms = [prefix + "-a", prefix + "-b", prefix + "-c"];
        var sockets = new List<ChatClient>();
        try
        {
            // Sockets stay open until the end: their leaves are activity too.
            foreach (var room in rooms)
            {
                var socket = await ChatClient.ConnectAsync(app.ApiUri, room, token);
                sockets.Add(socket);
                await socket.ReceiveHistoryAsync();
                await socket.SendMessageAsync("hello " + room);
            }

            Assert.Equal([rooms[2], rooms[1], rooms[0]], DirectoryCalls.OrderOf(await app.ListAllRoomsAsync(token), rooms));

            await sockets[0].SendMessageAsync("back to the top");

            var listed = await app.ListAllRoomsAsync(token);
            Assert.Equal([rooms[0], rooms[2], rooms[1]], DirectoryCalls.OrderOf(listed, rooms));
            var top = listed.Single(r => (string)r["room_id"]! == rooms[0]);
            Assert.Equal("back to the top", (string?)top["last_message"]!["content"]);
            Assert.False((bool)top["private"]!);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_join_counts_as_activity_and_a_room_without_messages_is_listed_with_last_message_null()
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("joiner"));
        var prefix = TestRooms.New("dir-join");
        var talked = prefix + "-talked";
        var quiet = prefix + "-quiet";
        await using var writer = await ChatClient.ConnectAsync(app.ApiUri, talked, token);
        await writer.ReceiveHistoryAsync();
        await writer.SendMessageAsync("anyone?");

        await using var lurker = await ChatClient.ConnectAsync(app.ApiUri, quiet, token);
        await lurker.ReceiveHistoryAsync();

        var listed = await app.ListAllRoomsAsync(token);
        Assert.Equal([quiet, talked], DirectoryCalls.OrderOf(listed, [talked, quiet]));
        var quietRoom = listed.Single(r => (string)r["room_id"]! == quiet);
        Assert.True(quietRoom.ContainsKey("last_message"));
        Assert.Null(quietRoom["last_message"]);
        // The lurker is in it (presence counts them); nobody has written.
        Assert.Equal(1, (long)quietRoom["online"]!);
        Assert.True(DateTimeOffset.TryParse((string?)quietRoom["last_activity"], out _));

        // Joining the older room again, without a word, moves it back to the top.
        await using var rejoined = await ChatClient.ConnectAsync(app.ApiUri, talked, token);
        await rejoined.ReceiveHistoryAsync();

        Assert.Equal([talked, quiet], DirectoryCalls.OrderOf(await app.ListAllRoomsAsync(token), [talked, quiet]));
    }

    [Fact]
    public async Task Paging_with_the_cursor_lists_each_room_once_in_activity_order()
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("pager"));
        var prefix = TestRooms.New("dir-page");
        var mine = Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}").ToList();
        foreach (var room in mine)
        {
            using var created = await app.CreateRoomAsync(token, room, isPrivate: false);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var listed = await app.ListAllRoomsAsync(token, limit: 2);

        var ids = listed.Select(r => (string)r["room_id"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Enumerable.Reverse(mine), DirectoryCalls.OrderOf(listed, mine));
        var activity = listed.Select(r => DateTimeOffset.Parse((string)r["last_activity"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(activity.Zip(activity.Skip(1)).All(pair => pair.First >= pair.Second), "Rooms must come newest activity first across pages.");
    }

    [Fact]
    public async Task The_first_page_holds_at_most_limit_rooms_and_a_cursor_to_the_rest()
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("limiter"));
        var prefix = TestRooms.New("dir-limit");
        foreach (var room in new[] { prefix + "-1", prefix + "-2" })
        {
            using var created = await app.CreateRoomAsync(token, room, isPrivate: false);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var page = await app.ListRoomsAsync(token, limit: 1);

        Assert.Single(page["rooms"]!.AsArray());
        Assert.Equal(prefix + "-2", (string?)page["rooms"]![0]!["room_id"]);
        var next = await app.ListRoomsAsync(token, limit: 1, cursor: (string)page["next_cursor"]!);
        Assert.Equal(prefix + "-1", (string?)next["rooms"]![0]!["room_id"]);
    }

    [Fact]
    public async Task The_last_message_content_is_cut_to_100_characters()
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("talker"));
        var room = TestRooms.New("dir-cut");
        var content = new string('a', 99) + "😀" + new string('b', 50);
        await using (var writer = await ChatClient.ConnectAsync(app.ApiUri, room, token))
        {
            await writer.ReceiveHistoryAsync();
            await writer.SendMessageAsync(content);
        }

        var page = await app.ListRoomsAsync(token, limit: 100);

        var listed = page["rooms"]!.AsArray().Single(r => (string)r!["room_id"]! == room)!;
        var last = listed["last_message"]!;
        Assert.Equal(new string('a', 99) + "😀", (string?)last["content"]);
        Assert.StartsWith("talker-", (string?)last["username"], StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse((string?)last["timestamp"], out _));
    }

    [Fact]
    public async Task Private_rooms_are_listed_to_their_members_only()
    {
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        var memberName = RoomCalls.NewUserName("member");
        var member = await app.GetTokenAsync(memberName);
        var stranger = await app.GetTokenAsync(RoomCalls.NewUserName("stranger"));
        var prefix = TestRooms.New("dir-private");
        var hidden = prefix + "-hidden";
        var open = prefix + "-open";
        await app.CreatePrivateRoomAsync(owner, hidden);
        Assert.Equal(HttpStatusCode.NoContent, await app.AddMemberAsync(owner, hidden, memberName));
        await using (var writer = await ChatClient.ConnectAsync(app.ApiUri, hidden, owner))
        {
            await writer.ReceiveHistoryAsync();
            await writer.SendMessageAsync("members only");
        }

        using (var created = await app.CreateRoomAsync(owner, open, isPrivate: false))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal([open], DirectoryCalls.OrderOf(await app.ListAllRoomsAsync(stranger), [hidden, open]));
        // One room per page: the hidden room sits right after the open one, and the page after
        // the open one must read past it rather than stop or show it.
        var first = await app.ListRoomsAsync(stranger, limit: 1);
        for (var page = 0; (string?)first["rooms"]![0]!["room_id"] != open; page++)
        {
            Assert.True(page < 20, "The open room was not among the newest 20.");
            first = await app.ListRoomsAsync(stranger, limit: 1, cursor: (string)first["next_cursor"]!);
        }

        var after = await app.ListRoomsAsync(stranger, limit: 1, cursor: (string)first["next_cursor"]!);
        Assert.DoesNotContain(hidden, after["rooms"]!.AsArray().Select(r => (string)r!["room_id"]!));
        foreach (var token in new[] { owner, member })
        {
            var listed = await app.ListAllRoomsAsync(token);
            Assert.Equal([open, hidden], DirectoryCalls.OrderOf(listed, [hidden, open]));
            var room = listed.Single(r => (string)r["room_id"]! == hidden);
            Assert.True((bool)room["private"]!);
            Assert.Equal("members only", (string?)room["last_message"]!["content"]);
        }
    }

    [Fact]
    public async Task A_page_passing_more_hidden_rooms_than_the_scan_bound_is_short_and_its_cursor_names_none_of_them()
    {
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("hoarder"));
        var stranger = await app.GetTokenAsync(RoomCalls.NewUserName("stranger"));
        var prefix = TestRooms.New("dir-bound");
        var open = prefix + "-open";
        using (var created = await app.CreateRoomAsync(owner, open, isPrivate: false))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Newer than the open room: more hidden rooms in a row than one page may pass over.
        var hidden = Enumerable.Range(0, RoomDirectory.MaxScannedPerPage + 10).Select(i => $"{prefix}-h{i}").ToHashSet();
        foreach (var chunk in hidden.Chunk(20))
        {
            await Task.WhenAll(chunk.Select(room => app.CreatePrivateRoomAsync(owner, room)));
        }

        var seen = new List<string>();
        var shortPages = 0;
        string? cursor = null;
        for (var page = 0; page < 2000; page++)
        {
            var body = await app.ListRoomsAsync(stranger, limit: 5, cursor: cursor);
            var ids = body["rooms"]!.AsArray().Select(r => (string)r!["room_id"]!).ToList();
            seen.AddRange(ids);
            cursor = (string?)body["next_cursor"];
            if (cursor is null)
            {
                break;
            }

            shortPages += ids.Count < 5 ? 1 : 0;
            Assert.True(DirectoryCursor.TryDecode(cursor, out var position));
            Assert.DoesNotContain(position.RoomId, hidden);
        }

        Assert.Null(cursor);
        Assert.True(shortPages > 0, "No page stopped at the scan bound.");
        Assert.DoesNotContain(seen, hidden.Contains);
        Assert.Contains(open, seen);
    }

    [Fact]
    public async Task The_online_count_follows_real_members_on_both_replicas_counting_a_user_with_two_tabs_once()
    {
        var room = TestRooms.New("dir-live");
        var (first, second) = await app.ConnectToBothReplicasAsync(room, RoomCalls.NewUserName("tabs"));
        await using (first)
        await using (second)
        await using (var other = await app.ConnectAsync(room, RoomCalls.NewUserName("other")))
        {
            await other.ReceiveHistoryAsync();
            var token = await app.GetTokenAsync(RoomCalls.NewUserName("lister"));

            // Presence is written at join, before the snapshot each socket receives.
            await other.ReceiveUntilAsync(f => ChatClient.Type(f) == "presence");
            var listed = (await app.ListAllRoomsAsync(token)).Single(r => (string)r["room_id"]! == room);

            Assert.Equal(2, (long)listed["online"]!);
        }
    }

    [Fact]
    public async Task The_online_count_is_the_number_of_subjects_in_the_presence_hash()
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("counter"));
        var room = TestRooms.New("dir-online");
        using (var created = await app.CreateRoomAsync(token, room, isPrivate: false))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var online = new RoomKeys(room).Online;
        var redis = app.Redis.GetDatabase();
        try
        {
            await redis.HashSetAsync(online, [new HashEntry("g.subject-one", "1"), new HashEntry("g.subject-two", "1")]);

            var listed = (await app.ListRoomsAsync(token, limit: 100))["rooms"]!.AsArray().Single(r => (string)r!["room_id"]! == room)!;

            Assert.Equal(2, (long)listed["online"]!);
        }
        finally
        {
            await redis.KeyDeleteAsync(online);
        }
    }

    [Fact]
    public async Task An_idle_room_leaves_the_directory_unless_someone_is_online_in_it()
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("idler"));
        var prefix = TestRooms.New("dir-idle");
        var idle = prefix + "-idle";
        var occupied = prefix + "-occupied";
        foreach (var room in new[] { idle, occupied })
        {
            using var created = await app.CreateRoomAsync(token, room, isPrivate: false);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var redis = app.Redis.GetDatabase();
        var online = new RoomKeys(occupied).Online;
        // Eight days ago: past the default Chat:DirectoryIdleTime of seven.
        var longAgo = DateTimeOffset.UtcNow.AddDays(-8).ToUnixTimeMilliseconds();
        try
        {
            await redis.HashSetAsync(online, "g.still-here", "1");
            await redis.SortedSetAddAsync(UserKeys.RoomActivity, [new SortedSetEntry(idle, longAgo), new SortedSetEntry(occupied, longAgo)]);

            // The first page trims; what it lists is read after that.
            var ids = (await app.ListAllRoomsAsync(token)).Select(r => (string)r["room_id"]!).ToList();

            Assert.Null(await redis.SortedSetScoreAsync(UserKeys.RoomActivity, idle));
            Assert.DoesNotContain(idle, ids);
            Assert.Equal(longAgo, await redis.SortedSetScoreAsync(UserKeys.RoomActivity, occupied));
            Assert.Contains(occupied, ids);
        }
        finally
        {
            await redis.KeyDeleteAsync(online);
            await redis.SortedSetRemoveAsync(UserKeys.RoomActivity, occupied);
        }
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=", "limit")]
    [InlineData("cursor=!!!", "cursor")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "cursor")]
    [InlineData("cursor=", "cursor")]
    public async Task A_bad_limit_or_cursor_is_400_naming_the_field(string query, string field)
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("asker"));

        using var response = await app.SendAsync(HttpMethod.Get, "/api/rooms?" + query, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (string?)(await RoomCalls.ProblemAsync(response))["field"]);
    }

    [Fact]
    public async Task Listing_rooms_without_a_token_is_401()
    {
        using var response = await app.Http.GetAsync("/api/rooms").WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
