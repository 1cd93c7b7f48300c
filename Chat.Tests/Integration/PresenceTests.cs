using System.Net;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/protocol.md, "Presence": the snapshot after history, join and leave events across
/// replicas, one join and one leave per user however many tabs, the presence endpoint.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class PresenceTests(ChatAppFixture app)
{
    [Fact]
    public async Task Users_on_different_replicas_see_each_others_join_and_leave()
    {
        var room = TestRooms.New("presence-cross");
        var bobName = RoomCalls.NewUserName("bob");
        var carolName = RoomCalls.NewUserName("carol");
        await using var bob = await app.ConnectAsync(room, bobName);
        Assert.Equal([bobName], await bob.ReceiveSnapshotAsync());

        var carol = await app.ConnectAwayFromAsync(room, carolName, bob.Instance);
        await using var carolScope = carol;
        Assert.NotEqual(bob.Instance, carol.Instance);
        Assert.Equal(new[] { bobName, carolName }.Order(StringComparer.OrdinalIgnoreCase), await carol.ReceiveSnapshotAsync());
        await bob.ReceiveUntilAsync(f => PresenceCalls.IsEvent(f, "join", carolName), awaited: $"the join of {carolName}");
        await app.SettleAsync(room, bob);

        await carol.DisposeAsync();

        await bob.ReceiveUntilAsync(f => PresenceCalls.IsEvent(f, "leave", carolName), awaited: $"the leave of {carolName}");
    }

    [Fact]
    public async Task Nobody_gets_an_event_about_themselves()
    {
        var room = TestRooms.New("presence-self");
        var aliceName = RoomCalls.NewUserName("alice");
        await using var alice = await app.ConnectAsync(room, aliceName);
        await alice.ReceiveSnapshotAsync();

        var before = await app.SettleAsync(room, alice);

        Assert.DoesNotContain(before, f => PresenceCalls.Username(f) == aliceName);
    }

    [Fact]
    public async Task Two_tabs_of_one_user_on_both_replicas_give_one_join_and_one_leave()
    {
        var room = TestRooms.New("presence-tabs");
        var bobName = RoomCalls.NewUserName("bob");
        var aliceName = RoomCalls.NewUserName("alice");
        var aliceToken = await app.GetTokenAsync(aliceName);
        await using var bob = await app.ConnectAsync(room, bobName);
        await bob.ReceiveSnapshotAsync();

        await using var first = await app.ConnectAsync(room, aliceName);
        await first.ReceiveSnapshotAsync();
        Assert.Single(await app.SettleAsync(room, bob), f => PresenceCalls.IsEvent(f, "join", aliceName));

        // Attempts that land on the first tab's replica are more tabs too: no event either.
        await using var second = await app.ConnectAwayFromAsync(room, aliceName, first.Instance);
        await second.ReceiveSnapshotAsync();
        await app.WaitForSocketsOnlineAsync(room, aliceToken, 2);
        Assert.DoesNotContain(await app.SettleAsync(room, bob), f => PresenceCalls.Username(f) == aliceName);

        await first.DisposeAsync();
        await app.WaitForSocketsOnlineAsync(room, aliceToken, 1);
        Assert.DoesNotContain(await app.SettleAsync(room, bob), f => PresenceCalls.Username(f) == aliceName);

        await second.DisposeAsync();
        await bob.ReceiveUntilAsync(f => PresenceCalls.IsEvent(f, "leave", aliceName), awaited: $"the leave of {aliceName}");
    }

    [Fact]
    public async Task The_snapshot_follows_the_history_and_lists_everyone_yourself_included_sorted_case_insensitively()
    {
        var room = TestRooms.New("presence-snapshot");
        var id = Guid.NewGuid().ToString("N")[..8];
        await using var bob = await app.ConnectAsync(room, "Bob-" + id);
        await bob.ReceiveSnapshotAsync();
        await using var bobOther = await app.ConnectAwayFromAsync(room, "Bob-" + id, bob.Instance);
        await bobOther.ReceiveSnapshotAsync();
        await using var carol = await app.ConnectAsync(room, "carol-" + id);
        await carol.ReceiveSnapshotAsync();

        await using var amy = await app.ConnectAsync(room, "amy-" + id);
        await amy.ReceiveHistoryAsync();
        var next = await amy.ReceiveAsync();

        Assert.Equal("presence", ChatClient.Type(next!));
        Assert.Equal(["amy-" + id, "Bob-" + id, "carol-" + id], next!["users"]!.AsArray().Select(u => (string)u!));
    }

    [Fact]
    public async Task The_presence_endpoint_lists_the_same_users_as_the_snapshot()
    {
        var room = TestRooms.New("presence-rest");
        var bobName = RoomCalls.NewUserName("Bob");
        var aliceName = RoomCalls.NewUserName("alice");
        await using var bob = await app.ConnectAsync(room, bobName);
        await bob.ReceiveSnapshotAsync();
        await using var alice = await app.ConnectAwayFromAsync(room, aliceName, bob.Instance);
        var snapshot = await alice.ReceiveSnapshotAsync();

        var online = await app.OnlineAsync(await app.GetTokenAsync(bobName), room);

        Assert.Equal([aliceName, bobName], online);
        Assert.Equal(snapshot, online);
    }

    [Fact]
    public async Task The_presence_endpoint_is_403_for_a_non_member_of_a_private_room_and_empty_for_an_unknown_room()
    {
        var room = TestRooms.New("presence-private");
        var ownerName = RoomCalls.NewUserName("owner");
        var owner = await app.GetTokenAsync(ownerName);
        var outsider = await app.GetTokenAsync(RoomCalls.NewUserName("outsider"));
        await app.CreatePrivateRoomAsync(owner, room);
        await using var member = await ChatClient.ConnectAsync(app.ApiUri, room, owner);
        await member.ReceiveSnapshotAsync();

        using var refused = await app.GetPresenceAsync(outsider, room);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal([ownerName], await app.OnlineAsync(owner, room));
        Assert.Empty(await app.OnlineAsync(outsider, TestRooms.New("presence-nobody")));
    }

    [Fact]
    public async Task A_watcher_applying_the_frames_of_a_join_storm_ends_with_the_rooms_list()
    {
        const int Joiners = 120;
        var room = TestRooms.New("presence-storm");
        var watcherName = RoomCalls.NewUserName("watcher");
        await using var watcher = await app.ConnectAsync(room, watcherName);
        var view = new HashSet<string>(await watcher.ReceiveSnapshotAsync(), StringComparer.Ordinal);
        var names = Enumerable.Range(0, Joiners).Select(i => RoomCalls.NewUserName($"j{i}")).ToList();
        await Task.WhenAll(names.Select(app.GetTokenAsync));

        var joiners = await Task.WhenAll(names.Select(name => app.ConnectAsync(room, name)));
        try
        {
            await Task.WhenAll(joiners.Select(j => j.ReceiveSnapshotAsync()));
            var expected = names.Append(watcherName).ToHashSet(StringComparer.Ordinal);
            var frames = 0;

            // Events or, for a window with more than 100 of them, one snapshot: either way, applied
            // in order they must end in the room's list.
            await watcher.ReceiveUntilAsync(f =>
            {
                switch (ChatClient.Type(f))
                {
                    case "presence":
                        view = f["users"]!.AsArray().Select(u => (string)u!).ToHashSet(StringComparer.Ordinal);
                        break;
                    case "join":
                        view.Add(PresenceCalls.Username(f)!);
                        break;
                    case "leave":
                        view.Remove(PresenceCalls.Username(f)!);
                        break;
                }

                frames++;
                return view.SetEquals(expected);
            }, awaited: $"a view of all {Joiners} joiners");

            Assert.True(frames <= Joiners, $"{frames} frames for {Joiners} joins");
            Assert.Equal(expected.Order(StringComparer.OrdinalIgnoreCase), await app.OnlineAsync(await app.GetTokenAsync(watcherName), room));
        }
        finally
        {
            foreach (var joiner in joiners)
            {
                await joiner.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Presence_is_never_stored_in_the_rooms_stream()
    {
        var room = TestRooms.New("presence-ephemeral");
        await using (var alice = await app.ConnectAsync(room, RoomCalls.NewUserName("alice")))
        {
            await alice.ReceiveSnapshotAsync();
            await alice.SendAsync(new { type = "typing" });
            await app.SettleAsync(room, alice);
        }

        Assert.Empty(await app.ReadStreamIdsAsync(room));
    }
}
