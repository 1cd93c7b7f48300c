using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

[Collection(ChatAppCollection.Name)]
public sealed class FanoutTests(ChatAppFixture app)
{
    [Fact]
    public async Task A_message_reaches_members_on_both_replicas_exactly_once()
    {
        var room = TestRooms.New("fanout");
        var (onFirst, onSecond) = await app.ConnectToBothReplicasAsync(room, "alice");
        await using var _ = onFirst;
        await using var __ = onSecond;
        Assert.NotEqual(onFirst.Instance, onSecond.Instance);
        await onFirst.ReceiveHistoryAsync();
        await onSecond.ReceiveHistoryAsync();

        var id = await onFirst.SendMessageAsync("hello from the first replica");

        var received = await onSecond.ReceiveUntilAsync(f => ChatClient.Type(f) == "message");
        var message = received["message"]!;
        Assert.Equal(id, (string?)message["id"]);
        Assert.Equal("alice", (string?)message["username"]);
        Assert.Equal(room, (string?)message["room_id"]);
        Assert.Equal("hello from the first replica", (string?)message["content"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", (string?)message["timestamp"]);

        // The sender gets its own message too, once.
        await onFirst.ReceiveMessagesUntilAsync(1);
        var marker = await onSecond.SendMessageAsync("marker");
        await onFirst.ReceiveMessagesUntilAsync(2);
        await onSecond.ReceiveMessagesUntilAsync(2);
        Assert.Equal([id, marker], onFirst.ReceivedIds);
        Assert.Equal([id, marker], onSecond.ReceivedIds);
    }

    [Fact]
    public async Task Concurrent_senders_on_both_replicas_are_seen_in_one_order_by_every_member()
    {
        var room = TestRooms.New("order");
        var (a, b) = await app.ConnectToBothReplicasAsync(room, "alice");
        var (c, d) = await app.ConnectToBothReplicasAsync(room, "bob");
        ChatClient[] members = [a, b, c, d];
        try
        {
            foreach (var member in members)
            {
                await member.ReceiveHistoryAsync();
            }

            const int PerSender = 25;
            var senders = members.Select(async (member, index) =>
            {
                for (var i = 0; i < PerSender; i++)
                {
                    await member.SendAsync(new { type = "message", content = $"sender {index} message {i}", client_id = $"{index}-{i}" });
                }
            });
            await Task.WhenAll(senders);

            var total = PerSender * members.Length;
            foreach (var member in members)
            {
                await member.ReceiveMessagesUntilAsync(total);
            }

            var stream = await app.ReadStreamIdsAsync(room);
            Assert.Equal(total, stream.Count);
            foreach (var member in members)
            {
                Assert.Equal(stream, member.ReceivedIds);
            }
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_join_that_races_the_last_leave_on_a_replica_still_receives_live_messages()
    {
        // The race needs the leaver and the joiner on one replica; the proxy is not steered, so
        // count only the rounds where both landed together.
        var raced = 0;
        for (var round = 0; round < 40 && raced < 8; round++)
        {
            var room = TestRooms.New("race");
            var leaver = await app.ConnectAsync(room, "leaver");
            await leaver.ReceiveHistoryAsync();

            var joining = app.ConnectAsync(room, "joiner");
            await leaver.DisposeAsync();
            await using var joiner = await joining;
            await joiner.ReceiveHistoryAsync();
            if (joiner.Instance != leaver.Instance)
            {
                continue;
            }

            raced++;
            await using var sender = await app.ConnectAsync(room, "sender");
            await sender.ReceiveHistoryAsync();
            var id = await sender.SendMessageAsync("are you subscribed?");
            await joiner.ReceiveMessagesUntilAsync(1);
            Assert.Equal([id], joiner.ReceivedIds);
        }

        Assert.True(raced > 0, "No round put the leaver and the joiner on one replica.");
    }
}
