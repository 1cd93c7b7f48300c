using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// A sender is no longer paced by the store's round trip (it may pipeline), so the server paces it
/// by its own queue instead: while the queue is over half full, nothing more is read from it.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class SenderFlowControlTests(ChatAppFixture app)
{
    [Fact]
    public async Task A_sender_that_writes_far_more_than_its_queue_holds_before_reading_is_paced_not_closed()
    {
        var room = TestRooms.New("flow");
        await using var sender = await app.ConnectAsync(room, RoomCalls.NewUserName("flood"));
        await sender.ReceiveHistoryAsync();

        // 3,000 echoes of about 3.5 KB, plus their acks: about 10 MB, more than the test app's 256 KiB queue and the
        // kernel's socket buffers on loopback together can hold.
        const int Count = 3000;
        var content = new string('x', 3500);
        var clientIds = Enumerable.Range(0, Count).Select(i => $"flow-{i}").ToList();
        var writing = Task.Run(async () =>
        {
            foreach (var clientId in clientIds)
            {
                await sender.SendAsync(new { type = "message", content, client_id = clientId });
            }
        });

        // Not reading for a while: without flow control its own echoes overflow its queue (1013).
        await Task.Delay(TimeSpan.FromSeconds(3));
        var acked = new List<string>();
        while (acked.Count < Count)
        {
            var frame = await sender.ReceiveUntilAsync(f => ChatClient.Type(f) is "ack" or "error", awaited: $"ack {acked.Count + 1} of {Count}");
            Assert.Equal("ack", ChatClient.Type(frame));
            acked.Add((string)frame["client_id"]!);
        }

        await writing;
        Assert.Equal(clientIds, acked);
        Assert.Equal(Count, (await app.ReadStreamIdsAsync(room)).Count);
    }
}
