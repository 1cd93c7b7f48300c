using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration.Faults;

/// <summary>
/// docs/guarantees.md, "Presence": a killed replica's users are reported gone within the TTL
/// (4 s here, heartbeat 1 s), and nobody who is still connected elsewhere is reported gone; when
/// pub/sub drops (signals lost), members get a fresh snapshot.
/// </summary>
[Collection(FaultAppCollection.Name)]
public sealed class PresenceReplicaLossTests(FaultAppFixture app)
{
    /// <summary>Generous: the TTL, a heartbeat, a window, and a busy two-core machine.</summary>
    private static readonly TimeSpan s_convergence = FaultAppFixture.PresenceTtl + TimeSpan.FromSeconds(16);

    [Fact]
    public async Task A_killed_replicas_users_are_reported_gone_within_the_ttl_and_nobody_else_leaves()
    {
        var room = TestRooms.New("presence-kill");
        var watcherName = RoomCalls.NewUserName("watcher");
        var doomedName = RoomCalls.NewUserName("doomed");
        var stayerName = RoomCalls.NewUserName("stayer");
        var bothName = RoomCalls.NewUserName("both");

        await using var watcher = await app.ConnectAsync(room, watcherName);
        await watcher.ReceiveSnapshotAsync();
        var survivingReplica = watcher.Instance;
        await using var doomed = await app.ConnectAwayFromAsync(room, doomedName, survivingReplica);
        await doomed.ReceiveSnapshotAsync();
        await using var stayer = await app.ConnectToReplicaAsync(room, stayerName, survivingReplica);
        await stayer.ReceiveSnapshotAsync();
        // One user with a tab on each replica: still online after the kill.
        await using var bothHere = await app.ConnectToReplicaAsync(room, bothName, survivingReplica);
        await bothHere.ReceiveSnapshotAsync();
        await using var bothThere = await app.ConnectAwayFromAsync(room, bothName, survivingReplica);
        await bothThere.ReceiveSnapshotAsync();
        await app.SettleAsync(room, watcher);

        try
        {
            await AppResources.KillAsync(app.App, doomed.Instance);

            var untilGone = new List<System.Text.Json.Nodes.JsonObject>();
            await watcher.ReceiveUntilAsync(f =>
            {
                untilGone.Add(f);
                return PresenceCalls.IsEvent(f, "leave", doomedName);
            }, s_convergence, awaited: $"the leave of {doomedName}, whose replica was killed");
            untilGone.AddRange(await app.SettleAsync(room, watcher));

            Assert.DoesNotContain(untilGone, f => ChatClient.Type(f) == "leave" && PresenceCalls.Username(f) is var name && (name == stayerName || name == bothName));
            // Markers come and go; their leaves may still be on the way.
            var online = (await app.OnlineAsync(await app.GetTokenAsync(watcherName), room)).Where(n => !n.StartsWith("marker-", StringComparison.Ordinal));
            Assert.Equal(new[] { bothName, stayerName, watcherName }.Order(StringComparer.OrdinalIgnoreCase), online);
        }
        finally
        {
            await AppResources.StartAsync(app.App, doomed.Instance);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("chat-api").WaitAsync(TestTimeouts.Startup);
        }
    }

    [Fact]
    public async Task After_the_pubsub_connections_drop_every_member_gets_a_fresh_snapshot()
    {
        var room = TestRooms.New("presence-pubsub");
        var watcherName = RoomCalls.NewUserName("watcher");
        var carolName = RoomCalls.NewUserName("carol");
        await using var watcher = await app.ConnectAsync(room, watcherName);
        await watcher.ReceiveSnapshotAsync();
        await using var carol = await app.ConnectAwayFromAsync(room, carolName, watcher.Instance);
        await carol.ReceiveSnapshotAsync();
        await app.SettleAsync(room, watcher);

        var killed = (long)(await app.Redis.GetServers().Single().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        Assert.True(killed >= 2, $"Only {killed} pub/sub connections were killed.");

        // Markers may be listed too: their leaves can still be on the way.
        var expected = new[] { carolName, watcherName }.Order(StringComparer.OrdinalIgnoreCase);
        foreach (var member in new[] { watcher, carol })
        {
            await member.ReceiveUntilAsync(
                f => ChatClient.Type(f) == "presence"
                    && f["users"]!.AsArray().Select(u => (string)u!).Where(n => !n.StartsWith("marker-", StringComparison.Ordinal)).SequenceEqual(expected),
                awaited: "a fresh snapshot after the pub/sub drop");
        }
    }
}
