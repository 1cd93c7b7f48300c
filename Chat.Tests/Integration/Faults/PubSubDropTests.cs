using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration.Faults;

/// <summary>
/// docs/guarantees.md, "Live delivery heals its own gaps": Redis drops every pub/sub connection
/// while senders send. Messages published in between never arrive by pub/sub; every member must
/// still end up with exactly the stream, in order, without reconnecting.
/// </summary>
[Collection(FaultAppCollection.Name)]
public sealed class PubSubDropTests(FaultAppFixture app)
{
    [Fact]
    public async Task Killing_every_pubsub_connection_while_senders_send_leaves_every_live_member_equal_to_the_stream()
    {
        var room = TestRooms.New("pubsub-kill");
        var (listenerA, listenerB) = await app.ConnectToBothReplicasAsync(room, "listener");
        var listenerC = await app.ConnectAsync(room, "listener");
        var (senderA, senderB) = await app.ConnectToBothReplicasAsync(room, "sender");
        ChatClient[] listeners = [listenerA, listenerB, listenerC];
        ChatClient[] senders = [senderA, senderB];
        try
        {
            foreach (var client in listeners.Concat(senders))
            {
                await client.ReceiveHistoryAsync();
            }

            const int PerSender = 120;
            var sending = senders.Select((sender, s) => Task.Run(async () =>
            {
                for (var i = 0; i < PerSender; i++)
                {
                    await sender.SendMessageAsync($"s{s} #{i}");
                }
            })).ToArray();

            // Several drops spread over the run, each one cutting both replicas' subscriptions.
            var server = app.Redis.GetServers().Single();
            var kills = 0;
            while (!sending.All(t => t.IsCompleted) && kills < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
                kills += (int)(long)(await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub"));
            }

            await Task.WhenAll(sending).WaitAsync(TestTimeouts.Startup);
            Assert.True(kills >= 2, $"Only {kills} pub/sub connections were killed while the senders sent.");

            var stream = await app.ReadStreamIdsAsync(room);
            Assert.Equal(2 * PerSender, stream.Count);
            foreach (var listener in listeners)
            {
                await listener.ReceiveUntilAsync(f => ChatClient.Type(f) == "message" && (string?)f["message"]!["id"] == stream[^1], TimeSpan.FromSeconds(30));
                Assert.Equal(stream, listener.ReceivedIds);
                Assert.Equal(System.Net.WebSockets.WebSocketState.Open, listener.Socket.State);
            }
        }
        finally
        {
            foreach (var client in listeners.Concat(senders))
            {
                await client.DisposeAsync();
            }
        }
    }
}
