using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/protocol.md, "Resume and epochs": a resume is answered <c>recovered:true</c> only when the
/// server can vouch for every message after <c>since</c>; never with a hole.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class ResumeTests(ChatAppFixture app)
{
    [Fact]
    public async Task Every_join_starts_with_the_epoch_and_the_protocol_version()
    {
        await using var client = await app.ConnectAsync(TestRooms.New("epoch"), "alice");
        var first = await client.ReceiveHistoryAsync();

        Assert.Matches("^[A-Za-z0-9_-]{1,32}$", (string?)first["epoch"]);
        Assert.Equal(1, (int)first["protocol"]!);
        Assert.Equal(client.Instance, (string?)first["instance"]);
    }

    [Fact]
    public async Task A_deleted_stream_gets_a_new_epoch_its_live_members_reconnect_and_a_resume_is_not_recovered()
    {
        var room = TestRooms.New("stream-lost");
        await using var alice = await app.ConnectAsync(room, "alice");
        var epoch = (string)(await alice.ReceiveHistoryAsync())["epoch"]!;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await alice.SendMessageAsync($"old {i}"));
        }

        await alice.ReceiveMessagesUntilAsync(3);
        Assert.True(await app.Redis.GetDatabase().KeyDeleteAsync(new RoomKeys(room).Messages));

        await using (var bob = await app.ConnectAsync(room, "bob"))
        {
            var bobEpoch = (string)(await bob.ReceiveHistoryAsync())["epoch"]!;
            Assert.NotEqual(epoch, bobEpoch);
            await bob.SendMessageAsync("in the new stream");
        }

        // Alice's position belongs to the lost stream: she is told to reconnect, not fed a hole.
        Assert.Equal((WebSocketCloseStatus)1013, await alice.ReceiveCloseAsync());

        foreach (var withEpoch in new[] { true, false })
        {
            await using var resumed = await ChatClient.ConnectAsync(
                app.ApiUri, room, await app.GetTokenAsync("alice"), since: ids[1], epoch: withEpoch ? epoch : null);
            var first = await resumed.ReceiveHistoryAsync();
            Assert.False((bool)first["recovered"]!);
            Assert.NotEqual(epoch, (string?)first["epoch"]);
            Assert.Equal(["in the new stream"], first["messages"]!.AsArray().Select(m => (string)m!["content"]!));
        }
    }

    [Fact]
    public async Task A_stale_epoch_is_not_recovered_even_when_the_id_exists()
    {
        var room = TestRooms.New("stale-epoch");
        await using var alice = await app.ConnectAsync(room, "alice");
        await alice.ReceiveHistoryAsync();
        var id = await alice.SendMessageAsync("one");

        await using var resumed = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("alice"), since: id, epoch: "someOtherEpoch");
        var first = await resumed.ReceiveHistoryAsync();

        Assert.False((bool)first["recovered"]!);
        Assert.Equal([id], Ids(first));
    }

    [Fact]
    public async Task A_far_future_since_is_not_recovered_and_the_member_still_gets_live_messages()
    {
        var room = TestRooms.New("future-since");
        await using var alice = await app.ConnectAsync(room, "alice");
        var epoch = (string)(await alice.ReceiveHistoryAsync())["epoch"]!;
        var old = await alice.SendMessageAsync("before");

        await using var resumed = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("bob"), since: "9999999999999-0", epoch: epoch);
        var first = await resumed.ReceiveHistoryAsync();
        Assert.False((bool)first["recovered"]!);
        Assert.Equal([old], Ids(first));

        var next = await alice.SendMessageAsync("after");
        await resumed.ReceiveMessagesUntilAsync(1);
        Assert.Equal([next], resumed.ReceivedIds);
    }

    [Fact]
    public async Task A_resume_with_the_current_epoch_returns_exactly_the_messages_after_since()
    {
        var room = TestRooms.New("resume-epoch");
        await using var alice = await app.ConnectAsync(room, "alice");
        var epoch = (string)(await alice.ReceiveHistoryAsync())["epoch"]!;
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await alice.SendMessageAsync($"m{i}"));
        }

        await using var resumed = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("alice"), since: ids[1], epoch: epoch);
        var first = await resumed.ReceiveHistoryAsync();

        Assert.True((bool)first["recovered"]!);
        Assert.Equal(epoch, (string?)first["epoch"]);
        Assert.Equal(ids[2..], Ids(first));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("abcdefghijklmnopqrstuvwxyzABCDEFG")]
    [InlineData("dot.ted")]
    public async Task A_malformed_epoch_is_refused_with_400(string epoch)
    {
        var token = await app.GetTokenAsync("alice");
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        var uri = new UriBuilder(ChatClient.SocketUri(app.ApiUri, "epoch-bad", since: "1-0")) ;
        uri.Query = uri.Query.TrimStart('?') + "&epoch=" + Uri.EscapeDataString(epoch);

        await Assert.ThrowsAnyAsync<WebSocketException>(() => socket.ConnectAsync(uri.Uri, CancellationToken.None).WaitAsync(TestTimeouts.Default));
        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
    }

    private static List<string> Ids(JsonObject frame) => frame["messages"]!.AsArray().Select(m => (string)m!["id"]!).ToList();
}
