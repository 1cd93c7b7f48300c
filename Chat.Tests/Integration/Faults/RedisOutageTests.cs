using System.Text.Json.Nodes;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;
using StackExchange.Redis;

namespace Chat.Tests.Integration.Faults;

/// <summary>
/// docs/guarantees.md, "Acked means stored": Redis stopped and started, and Redis frozen past
/// the store timeout. Sends meanwhile are refused with <c>unavailable</c>, never acked, and a retry
/// with the same client_id afterwards stores exactly one message.
/// </summary>
[Collection(FaultAppCollection.Name)]
public sealed class RedisOutageTests(FaultAppFixture app)
{
    [Fact]
    public async Task A_clean_Redis_restart_loses_no_acked_message_and_keeps_the_epoch()
    {
        var room = TestRooms.New("redis-restart");
        await using var alice = await app.ConnectAsync(room, "alice");
        var epoch = (string)(await alice.ReceiveHistoryAsync())["epoch"]!;
        var acked = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            acked.Add(await alice.SendMessageAsync($"before {i}"));
        }

        await AppResources.StopAsync(app.App, AppResources.RedisServer);
        try
        {
            await alice.SendAsync(new { type = "message", content = "while down", client_id = "during-outage" });
            JsonObject answer;
            try
            {
                answer = await alice.ReceiveUntilAsync(f => (string?)f["client_id"] == "during-outage" && ChatClient.Type(f) != "message");
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"No answer to a send while Redis was down. {alice.Instance}'s log:\n" + await AppResources.LogsAsync(app.App, alice.Instance), ex);
            }
            Assert.Equal("error", ChatClient.Type(answer));
            Assert.Equal("unavailable", (string?)answer["code"]);
        }
        finally
        {
            await AppResources.StartAsync(app.App, AppResources.RedisServer);
        }

        var retried = await RetryUntilAckedAsync(alice, "while down", "during-outage");

        Assert.Equal([.. acked, retried], await app.ReadStreamIdsAsync(room));
        await using var resumed = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("alice"), since: acked[1], epoch: epoch);
        var first = await resumed.ReceiveHistoryAsync();
        Assert.True((bool)first["recovered"]!);
        Assert.Equal(epoch, (string?)first["epoch"]);
        Assert.Equal([acked[2], acked[3], acked[4], retried], Ids(first));
        // The member that stayed connected got the retried message live, once (it may have come
        // while the retry waited for its ack: the first attempt can run when Redis is back).
        if (!alice.ReceivedIds.Contains(retried))
        {
            await alice.ReceiveUntilAsync(f => ChatClient.Type(f) == "message" && (string?)f["message"]!["id"] == retried);
        }

        Assert.Equal([.. acked, retried], alice.ReceivedIds);
    }

    [Fact]
    public async Task A_frozen_Redis_gets_sends_refused_as_unavailable_and_the_retry_stores_exactly_one_message()
    {
        var room = TestRooms.New("redis-frozen");
        await using var alice = await app.ConnectAsync(room, "alice");
        await alice.ReceiveHistoryAsync();
        var before = await alice.SendMessageAsync("before the freeze");

        var redis = await AppResources.ProcessIdAsync(app.App, AppResources.RedisServer);
        AppResources.Signal(redis, "STOP");
        JsonObject answer;
        try
        {
            await alice.SendAsync(new { type = "message", content = "frozen", client_id = "frozen-1" });
            // Chat:StoreTimeout is 2 s in the test app; nothing but the refusal may arrive first.
            answer = await alice.ReceiveUntilAsync(f => (string?)f["client_id"] == "frozen-1" && ChatClient.Type(f) != "message", TimeSpan.FromSeconds(10));
        }
        finally
        {
            AppResources.Signal(redis, "CONT");
        }

        Assert.Equal("error", ChatClient.Type(answer));
        Assert.Equal("unavailable", (string?)answer["code"]);

        // The frozen Redis may still run the first attempt when it wakes; the retry must not double it.
        var id = await RetryUntilAckedAsync(alice, "frozen", "frozen-1");
        var entries = await app.Redis.GetDatabase().StreamRangeAsync(new RoomKeys(room).Messages);
        Assert.Equal([before, id], entries.Select(e => (string)e.Id!));
        Assert.Single(entries, e => e["k"] == "frozen-1");
    }

    [Fact]
    public async Task A_freeze_long_enough_for_the_client_to_reconnect_still_answers_every_send_with_unavailable_or_ack()
    {
        var room = TestRooms.New("redis-long-freeze");
        await using var alice = await app.ConnectAsync(room, "alice");
        await alice.ReceiveHistoryAsync();

        // Past about 20 s StackExchange.Redis gives the frozen connection up and abandons the
        // commands it had sent. Sends go on every half second, so some are in flight then; each
        // must still be answered (unavailable, or acked if Redis ran it), never end the socket.
        var redis = await AppResources.ProcessIdAsync(app.App, AppResources.RedisServer);
        var clientIds = new List<string>();
        AppResources.Signal(redis, "STOP");
        try
        {
            for (var i = 0; i < 52; i++)
            {
                var clientId = $"long-freeze-{i}";
                clientIds.Add(clientId);
                await alice.SendAsync(new { type = "message", content = clientId, client_id = clientId });
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
        finally
        {
            AppResources.Signal(redis, "CONT");
        }

        var unanswered = clientIds.ToHashSet();
        var refused = new List<string>();
        while (unanswered.Count > 0)
        {
            var answer = await alice.ReceiveUntilAsync(f => ChatClient.Type(f) is "ack" or "error", TimeSpan.FromSeconds(30));
            var clientId = (string)answer["client_id"]!;
            Assert.True(unanswered.Remove(clientId), $"{clientId} was answered twice.");
            if (ChatClient.Type(answer) == "error")
            {
                Assert.Equal("unavailable", (string?)answer["code"]);
                refused.Add(clientId);
            }
        }

        foreach (var clientId in refused)
        {
            await RetryUntilAckedAsync(alice, clientId, clientId);
        }

        var entries = await app.Redis.GetDatabase().StreamRangeAsync(new RoomKeys(room).Messages);
        Assert.Equal(clientIds.Order(), entries.Select(e => (string)e["k"]!).Order());
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, alice.Socket.State);
    }

    [Fact]
    public async Task A_join_whose_subscribe_times_out_on_a_frozen_Redis_leaves_no_subscription_behind()
    {
        var room = TestRooms.New("redis-frozen-join");
        var channel = RedisChannel.Sharded(new RoomKeys(room).Prefix);
        var server = app.Redis.GetServers().Single();
        var redis = await AppResources.ProcessIdAsync(app.App, AppResources.RedisServer);
        // Signed in before the freeze: signing in needs Redis.
        var token = await app.GetTokenAsync("alice");
        AppResources.Signal(redis, "STOP");
        try
        {
            await using var client = await ChatClient.ConnectAsync(app.ApiUri, room, token);
            Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)1013, await client.ReceiveCloseAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            AppResources.Signal(redis, "CONT");
        }

        // Nobody is in the room, so no replica may stay subscribed to it: a leftover queue would
        // grow with every message published there, and even the SSUBSCRIBE that the frozen
        // Redis runs when it wakes must be undone.
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        while ((long)((RedisResult[])(await server.ExecuteAsync("PUBSUB", "SHARDNUMSUB", channel.ToString()))!)[1] != 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }

        // And the room works normally afterwards.
        await using var member = await app.ConnectAsync(room, "bob");
        await member.ReceiveHistoryAsync();
        var id = await member.SendMessageAsync("after the freeze");
        await member.ReceiveMessagesUntilAsync(1);
        Assert.Equal([id], member.ReceivedIds);
    }

    /// <summary>Resends with the same client_id until acked: the API reconnects to Redis in its own time.</summary>
    private static async Task<string> RetryUntilAckedAsync(ChatClient client, string content, string clientId)
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Startup);
        while (true)
        {
            await client.SendAsync(new { type = "message", content, client_id = clientId });
            var answer = await client.ReceiveUntilAsync(f => (string?)f["client_id"] == clientId && ChatClient.Type(f) != "message", TimeSpan.FromSeconds(30));
            if (ChatClient.Type(answer) == "ack")
            {
                return (string)answer["id"]!;
            }

            Assert.Equal("unavailable", (string?)answer["code"]);
            deadline.Token.ThrowIfCancellationRequested();
            await Task.Delay(TimeSpan.FromMilliseconds(500), deadline.Token);
        }
    }

    private static List<string> Ids(JsonObject frame) => frame["messages"]!.AsArray().Select(m => (string)m!["id"]!).ToList();
}
