using System.Net.WebSockets;
using System.Text;
using Chat.Api.Storage;
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
    public async Task A_member_that_stops_reading_is_closed_with_1013_and_the_room_keeps_flowing()
    {
        var room = TestRooms.New("close-slow");
        await using var slow = await app.ConnectAsync(room, "slow");
        await slow.ReceiveHistoryAsync();
        await using var fast = await app.ConnectAsync(room, "fast");
        await fast.ReceiveHistoryAsync();

        // The slow member reads nothing while the fast one sends far more than the socket
        // buffers between them hold (the test app's outgoing queue holds 64 frames).
        const int Messages = 4000;
        var content = new string('z', 4000);
        var draining = fast.ReceiveMessagesUntilAsync(Messages, TimeSpan.FromMinutes(2));
        for (var i = 0; i < Messages; i++)
        {
            await fast.SendAsync(new { type = "message", content, client_id = $"flood-{i}" });
        }

        await draining;

        Assert.Equal((WebSocketCloseStatus)1013, await slow.ReceiveCloseAsync(TimeSpan.FromMinutes(1)));
        Assert.InRange(slow.ReceivedIds.Count, 0, Messages - 1);
        Assert.Equal(fast.ReceivedIds, (await app.ReadStreamIdsAsync(room)).TakeLast(Messages));
    }

    [Fact]
    public async Task An_unexpected_server_error_closes_with_1011_and_others_are_unaffected()
    {
        var room = TestRooms.New("close-corrupt");
        // A key of the wrong type where the room's stream belongs: Redis answers WRONGTYPE, a
        // server-side error the API cannot recover from (unlike an outage).
        await app.Redis.GetDatabase().StringSetAsync(new RoomKeys(room).Messages, "not a stream");

        await using var client = await app.ConnectAsync(room, "alice");
        Assert.Equal(WebSocketCloseStatus.InternalServerError, await client.ReceiveCloseAsync());

        await using var other = await app.ConnectAsync("close-corrupt-neighbour", "bob");
        await other.ReceiveHistoryAsync();
        await other.SendMessageAsync("fine here");
    }
}
