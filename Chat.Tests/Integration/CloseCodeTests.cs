using System.Net.WebSockets;
using System.Text;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>What ends a connection, and with which code. Other connections keep working.</summary>
[Collection(ChatAppCollection.Name)]
public sealed class CloseCodeTests(ChatAppFixture app)
{
    [Fact]
    public async Task A_message_over_16_KiB_across_continuation_frames_closes_with_1009()
    {
        await using var client = await app.ConnectAsync("close-size", "alice");
        await client.ReceiveHistoryAsync();

        // 20 fragments of 1 KiB: no single frame is large, the message is.
        var fragment = Encoding.UTF8.GetBytes(new string('x', 1024));
        await client.SendBytesAsync(Encoding.UTF8.GetBytes("""{"type":"message","content":" """), WebSocketMessageType.Text, endOfMessage: false);
        for (var i = 0; i < 20 && client.Socket.State == WebSocketState.Open; i++)
        {
            await client.SendBytesAsync(fragment, WebSocketMessageType.Text, endOfMessage: false);
        }

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
        Assert.Empty(await app.ReadStreamIdsAsync("close-size"));
    }

    [Fact]
    public async Task A_binary_frame_closes_with_1003()
    {
        await using var client = await app.ConnectAsync("close-binary", "alice");
        await client.ReceiveHistoryAsync();

        await client.SendBytesAsync([1, 2, 3], WebSocketMessageType.Binary);

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Invalid_UTF8_closes_with_1007()
    {
        await using var client = await app.ConnectAsync("close-utf8", "alice");
        await client.ReceiveHistoryAsync();

        await client.SendBytesAsync([(byte)'{', 0xC3, 0x28, (byte)'}'], WebSocketMessageType.Text);

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Invalid_UTF8_from_a_member_still_reading_earlier_frames_closes_with_1007_after_them()
    {
        // The WebSocket layer writes its 1007 and aborts itself at once. If the request then ends,
        // Kestrel resets the connection, and a client that has not yet read what came before
        // loses the close frame along with it.
        // Straight to a replica: the orchestrator's proxy would turn the reset into a plain close.
        var room = TestRooms.New("close-utf8-behind");
        await using var member = await ChatClient.ConnectAsync(await AppResources.OwnListenerAsync(app.App, "chat-api"), room, await app.GetTokenAsync("alice"));
        await member.ReceiveHistoryAsync();
        await using var sender = await app.ConnectAsync(room, "bob");
        await sender.ReceiveHistoryAsync();

        // 400 messages of 300 characters (about 150 KB): under the test app's 256 KiB queue,
        // and left unread by the member, in the socket buffers.
        const int Count = 400;
        var content = new string('y', 300);
        for (var i = 0; i < Count; i++)
        {
            await sender.SendAsync(new { type = "message", content, client_id = $"behind-{i}" });
        }

        for (var acked = 0; acked < Count; acked++)
        {
            await sender.ReceiveUntilAsync(f => ChatClient.Type(f) == "ack", awaited: $"ack {acked + 1} of {Count}");
        }

        await member.SendBytesAsync([(byte)'{', 0xC3, 0x28, (byte)'}'], WebSocketMessageType.Text);
        // Not a wait for something: the member is a client that has not read yet, and the defect
        // was the server ending the connection in that time (its reset destroyed the unread close).
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await member.ReceiveCloseAsync());
        Assert.Equal(Count, member.ReceivedIds.Count);
    }

    [Fact]
    public async Task A_member_that_stops_reading_is_cut_off_at_the_byte_bound_and_resumes_with_nothing_lost()
    {
        var room = TestRooms.New("close-slow");
        await using var slow = await app.ConnectAsync(room, "slow");
        var epoch = (string)(await slow.ReceiveHistoryAsync())["epoch"]!;
        await using var fast = await app.ConnectAsync(room, "fast");
        await fast.ReceiveHistoryAsync();

        // The slow member reads nothing while the fast one sends far more than the test app's
        // outgoing bound (256 KiB) plus the socket buffers between them hold.
        const int Messages = 4000;
        var content = new string('z', 4000);
        var draining = fast.ReceiveMessagesUntilAsync(Messages, TimeSpan.FromMinutes(2));
        for (var i = 0; i < Messages; i++)
        {
            await fast.SendAsync(new { type = "message", content, client_id = $"flood-{i}" });
        }

        await draining;
        var stream = await app.ReadStreamIdsAsync(room);
        Assert.Equal(stream.TakeLast(Messages), fast.ReceivedIds);

        // Closed with 1013 when the close frame could still be written, else aborted.
        WebSocketCloseStatus? status;
        try
        {
            status = await slow.ReceiveCloseAsync(TimeSpan.FromMinutes(1));
        }
        catch (WebSocketException)
        {
            status = null;
        }

        Assert.True(status is null or (WebSocketCloseStatus)1013, $"closed with {status}");
        // What it did get is the start of the stream, in order, with no hole ...
        Assert.InRange(slow.ReceivedIds.Count, 1, Messages - 1);
        Assert.Equal(stream.Take(slow.ReceivedIds.Count), slow.ReceivedIds);

        // ... and a resume from there gives it the rest.
        await using var resumed = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("slow"), since: slow.ReceivedIds[^1], epoch: epoch);
        var resumedIds = new List<string>();
        var first = await resumed.ReceiveHistoryAsync();
        Assert.True((bool)first["recovered"]!);
        resumedIds.AddRange(first["messages"]!.AsArray().Select(m => (string)m!["id"]!));
        while (resumedIds.Count < stream.Count - slow.ReceivedIds.Count)
        {
            var frame = await resumed.ReceiveUntilAsync(f => ChatClient.Type(f) == "messages");
            Assert.True((bool)frame["recovered"]!);
            resumedIds.AddRange(frame["messages"]!.AsArray().Select(m => (string)m!["id"]!));
        }

        Assert.Equal(stream, slow.ReceivedIds.Concat(resumedIds));
    }

    [Fact]
    public async Task An_unexpected_server_error_closes_with_1011_and_others_are_unaffected()
    {
        var room = TestRooms.New("close-corrupt");
        // A key of the wrong type where the room's stream belongs: Redis answers WRONGTYPE, a
        // server-side error the API cannot recover from (unlike an outage).
        await app.Redis.GetDatabase().StringSetAsync(new Chat.Api.Storage.RoomKeys(room).Messages, "not a stream");

        await using var client = await app.ConnectAsync(room, "alice");
        Assert.Equal(WebSocketCloseStatus.InternalServerError, await client.ReceiveCloseAsync());

        await using var other = await app.ConnectAsync("close-corrupt-neighbour", "bob");
        await other.ReceiveHistoryAsync();
        await other.SendMessageAsync("fine here");
    }
}
