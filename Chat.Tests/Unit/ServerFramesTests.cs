using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chat.Api.Protocol;

namespace Chat.Tests.Unit;

public sealed class ServerFramesTests
{
    [Fact]
    public void A_live_frame_assembled_around_the_id_equals_the_history_shape()
    {
        var message = new ChatMessage("1700000000000-3", "lobby", "alice", "<b>\"hi\"</b> ünï 😀\n", "2026-11-26T10:00:00.123Z", "c-1");
        var published = PublishedMessage.CreatePrefix(new DateTime(2026, 11, 26, 10, 0, 0, DateTimeKind.Utc))
            .Concat(Encoding.ASCII.GetBytes(message.Id))
            .Concat(ServerFrames.MessageSuffix(message.RoomId, message.Username, message.Content, message.Timestamp, message.ClientId))
            .ToArray();

        Assert.True(PublishedMessage.TryParse(published, out var parsed));
        Assert.Equal(MessageId.Parse(message.Id), parsed.Id);
        var live = JsonNode.Parse(parsed.Frame.Span)!.AsObject();
        var history = JsonNode.Parse(ServerFrames.Messages([message], 0, 1, recovered: null, instance: null))!;

        Assert.Equal("message", (string?)live["type"]);
        Assert.Equal(history["messages"]![0]!.ToJsonString(), live["message"]!.ToJsonString());
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(message)), live["message"]!.ToJsonString());
    }

    [Fact]
    public void Html_sensitive_characters_are_escaped_in_frames()
    {
        var suffix = Encoding.UTF8.GetString(ServerFrames.MessageSuffix("r", "u", "<script>&'", "t", null));

        Assert.DoesNotContain("<", suffix, StringComparison.Ordinal);
        Assert.DoesNotContain("&", suffix, StringComparison.Ordinal);
        Assert.Contains("\"client_id\":null", suffix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_receive_time_travels_in_the_published_prefix()
    {
        var at = new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        var payload = PublishedMessage.CreatePrefix(at).Concat("1-1\",\"room_id\":\"r\"}}"u8.ToArray()).ToArray();

        Assert.True(PublishedMessage.TryParse(payload, out var parsed));
        Assert.Equal(at.Ticks, parsed.ReceivedAtTicks);
        Assert.StartsWith("{\"type\":\"message\"", Encoding.UTF8.GetString(parsed.Frame.Span), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no space")]
    [InlineData("12 {\"type\":\"other\"}")]
    [InlineData("12 {\"type\":\"message\",\"message\":{\"id\":\"bad\"}}")]
    public void Malformed_publishes_are_refused(string payload)
    {
        Assert.False(PublishedMessage.TryParse(Encoding.UTF8.GetBytes(payload), out _));
    }

    [Fact]
    public void Acks_and_errors_carry_the_client_id_only_when_there_is_one()
    {
        var ack = JsonNode.Parse(ServerFrames.Ack(null, "1-1"))!.AsObject();
        var error = JsonNode.Parse(ServerFrames.Error(new FrameError("validation", "content must not be empty.", "c")))!.AsObject();

        Assert.False(ack.ContainsKey("client_id"));
        Assert.Equal("1-1", (string?)ack["id"]);
        Assert.Equal("c", (string?)error["client_id"]);
        Assert.Equal("validation", (string?)error["code"]);
    }

    [Fact]
    public void Timestamps_are_utc_with_milliseconds_and_z()
    {
        var text = MessageJson.FormatTimestamp(new DateTime(2026, 11, 26, 22, 5, 9, 7, DateTimeKind.Utc));

        Assert.Equal("2026-11-26T22:05:09.007Z", text);
        Assert.Equal(MessageJson.TimestampLength, text.Length);
    }
}
