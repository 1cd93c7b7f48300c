using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chat.Api.Protocol;

namespace Chat.Tests.Unit;

/// <summary>Frames the server writes, and the published form of a live message (docs/protocol.md).</summary>
public sealed class ServerFramesTests
{
    private static readonly DateTime s_at = new(2026, 11, 26, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>What the append script publishes: <c>prefix .. epoch .. ' ' .. prev .. ' ' .. frame prefix .. id .. suffix</c>.</summary>
    private static byte[] Published(DateTime at, string epoch, string previous, ChatMessage message) =>
        [
            .. PublishedMessage.CreatePrefix(at),
            .. Encoding.ASCII.GetBytes($"{epoch} {previous} "),
            .. PublishedMessage.FramePrefix,
            .. Encoding.ASCII.GetBytes(message.Id),
            .. ServerFrames.MessageSuffix(message.RoomId, message.Username, message.Content, message.Timestamp, message.ClientId),
        ];

    private static ChatMessage Sample(string id = "1700000000000-3", string content = "<b>\"hi\"</b> ünï 😀\n") =>
        new(id, "lobby", "alice", content, "2026-11-26T10:00:00.123Z", "c-1");

    [Fact]
    public void A_live_frame_assembled_around_the_id_equals_the_history_shape()
    {
        var message = Sample();

        Assert.True(PublishedMessage.TryParse(Published(s_at, "e1", "1700000000000-2", message), out var parsed));
        Assert.Equal(MessageId.Parse(message.Id), parsed.Id);
        Assert.Equal(MessageId.Parse("1700000000000-2"), parsed.Previous);
        Assert.Equal("e1", Encoding.ASCII.GetString(parsed.Epoch.Span));
        var live = JsonNode.Parse(parsed.Frame.Span)!.AsObject();
        var next = 0;
        var history = JsonNode.Parse(ServerFrames.Messages([message], ref next, 1 << 20, recovered: null, join: null))!;

        Assert.Equal("message", (string?)live["type"]);
        Assert.Equal(history["messages"]![0]!.ToJsonString(), live["message"]!.ToJsonString());
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(message)), live["message"]!.ToJsonString());
    }

    [Fact]
    public void A_frame_rebuilt_from_the_stream_is_byte_for_byte_the_published_frame()
    {
        var message = Sample();
        Assert.True(PublishedMessage.TryParse(Published(s_at, "e1", "0-0", message), out var parsed));

        Assert.Equal(parsed.Frame.ToArray(), ServerFrames.Message(message));
    }

    [Fact]
    public void History_frames_are_cut_by_bytes_and_only_the_first_carries_the_join_header()
    {
        var messages = Enumerable.Range(1, 40).Select(i => Sample($"1-{i}", new string('x', 1000))).ToList();
        const int MaxBytes = 8 * 1024;

        var frames = new List<JsonObject>();
        var next = 0;
        JoinHeader? header = new JoinHeader("replica-1", "epochA");
        do
        {
            var frame = ServerFrames.Messages(messages, ref next, MaxBytes, recovered: true, header);
            header = null;
            // At most one message past the cut.
            Assert.InRange(frame.Length, 1, MaxBytes + 1200);
            frames.Add(JsonNode.Parse(frame)!.AsObject());
        }
        while (next < messages.Count);

        Assert.True(frames.Count >= 5);
        Assert.Equal(messages.Select(m => m.Id), frames.SelectMany(f => f["messages"]!.AsArray()).Select(m => (string)m!["id"]!));
        Assert.Equal("epochA", (string?)frames[0]["epoch"]);
        Assert.Equal(1, (int)frames[0]["protocol"]!);
        Assert.Equal("replica-1", (string?)frames[0]["instance"]);
        Assert.All(frames, f => Assert.True((bool)f["recovered"]!));
        Assert.All(frames.Skip(1), f => Assert.False(f.ContainsKey("epoch")));
    }

    [Fact]
    public void A_single_message_larger_than_the_cut_still_travels_alone()
    {
        var next = 0;
        var frame = ServerFrames.Messages([Sample(content: new string('y', 5000))], ref next, 1024, recovered: null, join: null);

        Assert.Equal(1, next);
        Assert.Single(JsonNode.Parse(frame)!["messages"]!.AsArray());
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
        var payload = Published(at, "e", "0-0", Sample("1-1"));

        Assert.True(PublishedMessage.TryParse(payload, out var parsed));
        Assert.Equal(at.Ticks, parsed.ReceivedAtTicks);
        Assert.StartsWith("{\"type\":\"message\"", Encoding.UTF8.GetString(parsed.Frame.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void A_sampled_messages_trace_context_travels_after_the_receive_time_and_others_carry_none()
    {
        var at = new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        byte[] traced = [.. PublishedMessage.CreatePrefix(at, TraceParent), .. Published(at, "e", "0-0", Sample("1-1")).AsSpan(PublishedMessage.CreatePrefix(at).Length)];

        Assert.True(PublishedMessage.TryParse(traced, out var parsed));
        Assert.Equal(TraceParent, Encoding.ASCII.GetString(parsed.TraceParent.Span));
        Assert.Equal(at.Ticks, parsed.ReceivedAtTicks);
        Assert.Equal(MessageId.Parse("1-1"), parsed.Id);
        Assert.True(PublishedMessage.TryParse(Published(at, "e", "0-0", Sample("1-1")), out var untraced));
        Assert.True(untraced.TraceParent.IsEmpty);
    }

    [Theory]
    [InlineData("")]
    [InlineData(";00-ab-cd-01 e 0-0 {\"type\":\"message\",\"message\":{\"id\":\"1-1\"}}")]
    [InlineData("no space")]
    [InlineData("12 {\"type\":\"other\"}")]
    [InlineData("12 e 0-0 {\"type\":\"other\"}")]
    [InlineData("12 e 0-0 {\"type\":\"message\",\"message\":{\"id\":\"bad\"}}")]
    [InlineData("12 e x-0 {\"type\":\"message\",\"message\":{\"id\":\"1-1\"}}")]
    [InlineData("12 abcdefghijklmnopqrstuvwxyzABCDEFG 0-0 {\"type\":\"message\",\"message\":{\"id\":\"1-1\"}}")]
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
