using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>docs/protocol.md, "Typing": forwarded to the other members on every replica, throttled, never stored.</summary>
[Collection(ChatAppCollection.Name)]
public sealed class TypingTests(ChatAppFixture app)
{
    [Fact]
    public async Task Typing_reaches_a_member_on_the_other_replica_but_not_the_typist()
    {
        var room = TestRooms.New("typing-cross");
        var bobName = RoomCalls.NewUserName("bob");
        var carolName = RoomCalls.NewUserName("carol");
        await using var bob = await app.ConnectAsync(room, bobName);
        await bob.ReceiveSnapshotAsync();
        await using var carol = await app.ConnectAwayFromAsync(room, carolName, bob.Instance);
        await carol.ReceiveSnapshotAsync();
        await app.SettleAsync(room, bob);

        await carol.SendAsync(new { type = "typing" });

        var typing = await bob.ReceiveUntilAsync(f => ChatClient.Type(f) == "typing", awaited: "carol's typing");
        Assert.Equal(carolName, PresenceCalls.Username(typing));
        Assert.NotEqual(bob.Instance, carol.Instance);
        // Typing goes out at once and the marker's join a window later: had carol's own typing
        // come back to her, it would be before the marker.
        Assert.DoesNotContain(await app.SettleAsync(room, carol), f => ChatClient.Type(f) == "typing");
    }

    [Fact]
    public async Task Five_typing_frames_in_a_row_reach_the_others_once_and_are_never_refused()
    {
        var room = TestRooms.New("typing-throttle");
        var bobName = RoomCalls.NewUserName("bob");
        await using var bob = await app.ConnectAsync(room, bobName);
        await bob.ReceiveSnapshotAsync();
        await using var carol = await app.ConnectAsync(room, RoomCalls.NewUserName("carol"));
        await carol.ReceiveSnapshotAsync();
        await app.SettleAsync(room, bob);

        for (var i = 0; i < 5; i++)
        {
            await carol.SendAsync(new { type = "typing" });
        }

        // Typing is not held in the window, so all five would arrive before the marker's join.
        var seen = await app.SettleAsync(room, bob);
        Assert.Single(seen, f => ChatClient.Type(f) == "typing");
        await carol.SendAsync(new { type = "ping" });
        var answer = await carol.ReceiveUntilAsync(f => ChatClient.Type(f) is "pong" or "error", awaited: "the pong");
        Assert.Equal("pong", ChatClient.Type(answer));
    }

    [Fact]
    public async Task Typing_in_tabs_on_both_replicas_reaches_the_others_once_per_interval()
    {
        var room = TestRooms.New("typing-tabs");
        await using var bob = await app.ConnectAsync(room, RoomCalls.NewUserName("bob"));
        await bob.ReceiveSnapshotAsync();
        var (first, second) = await app.ConnectToBothReplicasAsync(room, RoomCalls.NewUserName("carol"));
        await using (first)
        await using (second)
        {
            await first.ReceiveSnapshotAsync();
            await second.ReceiveSnapshotAsync();
            await app.SettleAsync(room, bob);

            for (var i = 0; i < 3; i++)
            {
                await first.SendAsync(new { type = "typing" });
                await second.SendAsync(new { type = "typing" });
            }

            // Each replica lets one through locally; the turn key lets only one of them out.
            var seen = await app.SettleAsync(room, bob);
            Assert.Single(seen, f => ChatClient.Type(f) == "typing");
        }
    }
}
