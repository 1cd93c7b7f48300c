using System.Text;
using System.Text.Json.Nodes;
using Chat.Api.Options;
using Chat.Api.Protocol;

namespace Chat.Tests.Unit;

/// <summary>
/// The presence frames (docs/protocol.md, "Presence") and the signals on a room's channel, which
/// the room's pump must tell from published messages by their first byte.
/// </summary>
public sealed class PresenceFramesTests
{
    [Theory]
    [InlineData("!j g.abc alice", PresenceSignalKind.Join, "g.abc", "alice")]
    [InlineData("!l g.abc alice", PresenceSignalKind.Leave, "g.abc", "alice")]
    [InlineData("!t x.def Ana María", PresenceSignalKind.Typing, "x.def", "Ana María")]
    public void A_signal_parses_to_its_kind_subject_and_whole_name(string payload, PresenceSignalKind kind, string subject, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);

        Assert.True(PresenceSignal.IsSignal(bytes));
        Assert.True(PresenceSignal.TryParse(bytes, out var signal));
        Assert.Equal(new PresenceSignal(kind, subject, name), signal);
    }

    [Theory]
    [InlineData("!x g.abc alice")]
    [InlineData("!j g.abc")]
    [InlineData("!j g.abc ")]
    [InlineData("!jg.abc alice")]
    [InlineData("!j")]
    public void A_malformed_signal_is_refused(string payload) =>
        Assert.False(PresenceSignal.TryParse(Encoding.UTF8.GetBytes(payload), out _));

    [Fact]
    public void A_published_message_is_never_taken_for_a_signal()
    {
        // Every published message starts with its receive ticks.
        var published = PublishedMessage.CreatePrefix(DateTime.UtcNow);

        Assert.False(PresenceSignal.IsSignal(published));
        Assert.True(PresenceSignal.IsSignal(Encoding.UTF8.GetBytes(PresenceSignal.Typing("g.abc", "alice"))));
    }

    [Fact]
    public void The_presence_frame_lists_the_users_in_the_order_given()
    {
        var frame = JsonNode.Parse(ServerFrames.Presence(["alice", "Bob", "<carol>"]))!;

        Assert.Equal("presence", (string?)frame["type"]);
        Assert.Equal(["alice", "Bob", "<carol>"], frame["users"]!.AsArray().Select(u => (string)u!));
    }

    [Theory]
    [InlineData(PresenceSignalKind.Join, "join")]
    [InlineData(PresenceSignalKind.Leave, "leave")]
    [InlineData(PresenceSignalKind.Typing, "typing")]
    public void An_event_frame_names_its_type_and_username(PresenceSignalKind kind, string type)
    {
        var frame = JsonNode.Parse(ServerFrames.PresenceEvent(kind, "alice"))!;

        Assert.Equal(type, (string?)frame["type"]);
        Assert.Equal("alice", (string?)frame["username"]);
    }

    [Fact]
    public void The_default_presence_options_are_valid()
    {
        Assert.True(new PresenceOptionsValidator().Validate(null, new PresenceOptions()).Succeeded);
    }

    [Fact]
    public void A_ttl_not_longer_than_the_heartbeat_is_refused_naming_both_keys()
    {
        var result = new PresenceOptionsValidator().Validate(null, new PresenceOptions { Ttl = TimeSpan.FromSeconds(5), HeartbeatInterval = TimeSpan.FromSeconds(5) });

        Assert.True(result.Failed);
        Assert.Contains("Presence:Ttl", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Presence:HeartbeatInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_window_longer_than_a_second_is_refused_naming_the_key()
    {
        var result = new PresenceOptionsValidator().Validate(null, new PresenceOptions { Window = TimeSpan.FromSeconds(2) });

        Assert.True(result.Failed);
        Assert.Contains("Presence:Window", result.FailureMessage, StringComparison.Ordinal);
    }
}
