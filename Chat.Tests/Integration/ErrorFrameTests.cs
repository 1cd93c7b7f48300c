using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>Bad frames get an error frame; the connection stays open and nothing is stored.</summary>
[Collection(ChatAppCollection.Name)]
public sealed class ErrorFrameTests(ChatAppFixture app)
{
    [Theory]
    [InlineData("not json", "invalid_json")]
    [InlineData("[1,2]", "invalid_json")]
    [InlineData("""{"type":"message","content":"a","content":"b"}""", "invalid_json")]
    [InlineData("""{"type":"message","content":""}""", "validation")]
    [InlineData("""{"type":"message","content":"   \n\t "}""", "validation")]
    [InlineData("""{"type":"message","content":"bell \u0007"}""", "validation")]
    [InlineData("""{"type":"message","content":"half \ud800 a pair"}""", "validation")]
    [InlineData("""{"type":"message","content":42}""", "validation")]
    [InlineData("""{"type":"message","content":{"a":1}}""", "validation")]
    [InlineData("""{"type":"message"}""", "validation")]
    [InlineData("""{"type":"message","content":"ok","client_id":""}""", "validation")]
    [InlineData("""{"type":"dance"}""", "unknown_type")]
    [InlineData("""{"type":"ping","\ud800":1}""", "invalid_json")]
    [InlineData("""{"type":"message","content":"x","a\udc00b":1}""", "invalid_json")]
    [InlineData("""{"type":"\ud800"}""", "validation")]
    [InlineData("""{}""", "validation")]
    public async Task A_bad_frame_gets_an_error_frame_and_the_connection_stays_usable(string frame, string code)
    {
        var room = TestRooms.New("errors");
        await using var client = await app.ConnectAsync(room, "alice");
        await client.ReceiveHistoryAsync();

        await client.SendTextAsync(frame);
        var error = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "error");

        Assert.Equal(code, (string?)error["code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.Empty(await app.ReadStreamIdsAsync(room));

        // Still connected and serving.
        await client.SendTextAsync("""{"type":"ping"}""");
        await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "pong");
        await client.SendMessageAsync("still here");
        Assert.Single(await app.ReadStreamIdsAsync(room));
    }

    [Fact]
    public async Task Content_over_the_limit_is_a_validation_error_naming_the_field()
    {
        await using var client = await app.ConnectAsync("errors-long", "alice");
        await client.ReceiveHistoryAsync();

        await client.SendAsync(new { type = "message", content = new string('x', 4001), client_id = "too-long" });
        var error = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "error");

        Assert.Equal("validation", (string?)error["code"]);
        Assert.Contains("content", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal("too-long", (string?)error["client_id"]);
    }

    [Fact]
    public async Task Content_of_exactly_the_limit_in_four_byte_characters_is_accepted()
    {
        await using var client = await app.ConnectAsync("errors-emoji", "alice");
        await client.ReceiveHistoryAsync();

        // Written as plain UTF-8 (a serializer would escape each emoji to 12 bytes): 16,000 bytes of content.
        var content = string.Concat(Enumerable.Repeat("😀", 4000));
        await client.SendTextAsync("{\"type\":\"message\",\"content\":\"" + content + "\",\"client_id\":\"" + new string('c', 64) + "\"}");
        var ack = await client.ReceiveUntilAsync(f => ChatClient.Type(f) is "ack" or "error");

        Assert.Equal("ack", ChatClient.Type(ack));
    }

    [Fact]
    public async Task A_seed_shaped_frame_is_a_message_and_its_username_is_ignored()
    {
        var room = TestRooms.New("seed");
        await using var client = await app.ConnectAsync(room, "alice");
        await client.ReceiveHistoryAsync();

        await client.SendAsync(new { username = "mallory", content = "hi from the old client" });
        // The ack and the broadcast may arrive in either order.
        JsonObject? ack = null, message = null;
        while (ack is null || message is null)
        {
            var frame = await client.ReceiveUntilAsync(f => ChatClient.Type(f) is "ack" or "message");
            if (ChatClient.Type(frame) == "ack")
            {
                ack = frame;
            }
            else
            {
                message = frame;
            }
        }

        Assert.False(ack.ContainsKey("client_id"));
        Assert.Equal((string?)ack["id"], (string?)message["message"]!["id"]);
        Assert.Equal("alice", (string?)message["message"]!["username"]);
        Assert.Null(message["message"]!["client_id"]);
    }

    [Fact]
    public async Task A_send_while_Redis_does_not_answer_is_unavailable_and_a_retry_is_not_doubled()
    {
        var room = TestRooms.New("unavailable");
        await using var client = await app.ConnectAsync(room, "alice");
        await client.ReceiveHistoryAsync();
        var server = app.Redis.GetServer(app.Redis.GetEndPoints()[0]);

        // Writes (the append script) wait while the pause lasts; reads and health checks do not.
        await server.ExecuteAsync("CLIENT", "PAUSE", "6000", "WRITE");
        JsonObject error;
        try
        {
            await client.SendAsync(new { type = "message", content = "during the outage", client_id = "retry-me" });
            error = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "error");
        }
        finally
        {
            await server.ExecuteAsync("CLIENT", "UNPAUSE");
        }

        Assert.Equal("unavailable", (string?)error["code"]);
        Assert.Equal("retry-me", (string?)error["client_id"]);

        // The client retries with the same client_id: one stored message, whatever the first try did.
        await client.SendAsync(new { type = "message", content = "during the outage", client_id = "retry-me" });
        var ack = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "ack");
        var stream = await app.ReadStreamIdsAsync(room);
        Assert.Equal([(string)ack["id"]!], stream);
    }
}
