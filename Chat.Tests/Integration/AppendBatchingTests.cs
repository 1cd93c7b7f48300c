using System.Text;
using Chat.Api.Protocol;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// Micro-batching (Chat:AppendBatchSize): a room's messages that arrive while its append call
/// runs are stored by one script call and published together, and nothing about order, acks or
/// idempotency changes. Observed on the room's own channel, as a replica sees it.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class AppendBatchingTests(ChatAppFixture app)
{
    private const int Senders = 8;
    private const int PerSender = 25;

    [Fact]
    public async Task Messages_sent_at_once_are_published_in_batches_that_chain_and_reach_every_member_once_in_stream_order()
    {
        var room = TestRooms.New("batch");
        var publications = new List<byte[]>();
        var subscription = await app.Redis.GetSubscriber().SubscribeAsync(new RoomKeys(room).Channel);
        subscription.OnMessage(m =>
        {
            lock (publications)
            {
                publications.Add((byte[])m.Message!);
            }
        });
        var senders = new List<ChatClient>();
        try
        {
            for (var i = 0; i < Senders; i++)
            {
                senders.Add(await app.ConnectAsync(room, RoomCalls.NewUserName("batch")));
            }

            var (first, second) = await app.ConnectToBothReplicasAsync(room, RoomCalls.NewUserName("watch"));
            await using var _ = first;
            await using var __ = second;
            await first.ReceiveHistoryAsync();
            await second.ReceiveHistoryAsync();
            foreach (var sender in senders)
            {
                await sender.ReceiveHistoryAsync();
            }

            // Every sender writes all its frames without waiting for acks, so each room's next
            // messages arrive while its previous call is still running.
            var acked = await Task.WhenAll(senders.Select(SendAllThenCollectAcksAsync));

            var stored = await app.ReadStreamIdsAsync(room);
            Assert.Equal(Senders * PerSender, stored.Count);
            Assert.Equal(stored.Order(), acked.SelectMany(ids => ids).Order());
            foreach (var ids in acked)
            {
                // One sender's messages are stored in the order it sent them.
                Assert.Equal(ids, ids.OrderBy(stored.IndexOf));
            }

            await first.ReceiveMessagesUntilAsync(stored.Count);
            await second.ReceiveMessagesUntilAsync(stored.Count);
            Assert.Equal(stored, first.ReceivedIds);
            Assert.Equal(stored, second.ReceivedIds);

            var lines = Lines(publications);
            Assert.Equal(stored, lines.Select(l => l.Id.ToString()));
            // Each line names the one before it, across publications too: the gap check still holds.
            for (var i = 1; i < lines.Count; i++)
            {
                Assert.Equal(lines[i - 1].Id, lines[i].Previous);
            }

            // Fewer publications than messages: some calls carried more than one.
            int count;
            lock (publications)
            {
                count = publications.Count(p => p[0] != (byte)'!');
            }

            Assert.True(count < stored.Count, $"{stored.Count} messages went out in {count} publications: nothing was batched.");
        }
        finally
        {
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }

            await subscription.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task The_same_client_id_sent_at_once_from_two_sockets_is_stored_once_and_both_get_its_id()
    {
        var room = TestRooms.New("batch-idem");
        var user = RoomCalls.NewUserName("twice");
        await using var one = await app.ConnectAsync(room, user);
        await using var two = await app.ConnectAsync(room, user);
        await using var busy = await app.ConnectAsync(room, RoomCalls.NewUserName("busy"));
        await one.ReceiveHistoryAsync();
        await two.ReceiveHistoryAsync();
        await busy.ReceiveHistoryAsync();

        const int Rounds = 20;
        // Another member keeps the room's calls busy, so the pairs land in batches, often the same one.
        var load = SendAllThenCollectAcksAsync(busy);
        for (var round = 0; round < Rounds; round++)
        {
            var clientId = $"pair-{round}";
            var ids = await Task.WhenAll(one.SendMessageAsync("once", clientId), two.SendMessageAsync("once", clientId));
            Assert.Equal(ids[0], ids[1]);
        }

        await load;
        var entries = await app.Redis.GetDatabase().StreamRangeAsync(new RoomKeys(room).Messages);
        Assert.Equal(Rounds + PerSender, entries.Length);
        Assert.Equal(Rounds, entries.Count(e => ((string?)e["k"])?.StartsWith("pair-", StringComparison.Ordinal) == true));
    }

    private static async Task<List<string>> SendAllThenCollectAcksAsync(ChatClient sender)
    {
        var clientIds = Enumerable.Range(0, PerSender).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        foreach (var clientId in clientIds)
        {
            await sender.SendAsync(new { type = "message", content = $"m {clientId}", client_id = clientId });
        }

        // Acks come back in the order the messages were sent (they were read while earlier ones were being stored).
        var acked = new List<string>();
        var ids = new List<string>();
        while (acked.Count < clientIds.Count)
        {
            var ack = await sender.ReceiveUntilAsync(f => ChatClient.Type(f) is "ack" or "error", awaited: $"ack {acked.Count + 1} of {clientIds.Count}");
            Assert.Equal("ack", ChatClient.Type(ack));
            acked.Add((string)ack["client_id"]!);
            ids.Add((string)ack["id"]!);
        }

        Assert.Equal(clientIds, acked);
        return ids;
    }

    /// <summary>Every message line of every publication, in the order they were published (presence signals left out).</summary>
    private static List<PublishedMessage> Lines(List<byte[]> publications)
    {
        var lines = new List<PublishedMessage>();
        lock (publications)
        {
            foreach (var publication in publications.Where(p => p[0] != (byte)'!'))
            {
                foreach (var line in Encoding.UTF8.GetString(publication).Split('\n'))
                {
                    Assert.True(PublishedMessage.TryParse(Encoding.UTF8.GetBytes(line), out var message), $"Not a published message: {line}");
                    lines.Add(message);
                }
            }
        }

        return lines;
    }
}
