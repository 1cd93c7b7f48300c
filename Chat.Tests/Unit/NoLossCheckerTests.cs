using Chat.Tests.Infrastructure.NoLoss;
using StackExchange.Redis;

namespace Chat.Tests.Unit;

/// <summary>The no-loss verdict on hand-made histories: it must catch what it exists to catch.</summary>
public sealed class NoLossCheckerTests
{
    private const string Room = "r";

    // Five stored messages, client ids c1..c5, contents m1..m5.
    private static readonly StreamEntry[] Stream = [.. Enumerable.Range(1, 5).Select(i => Entry($"100-{i}", $"c{i}", $"m{i}"))];

    [Fact]
    public void A_member_that_received_the_stream_after_its_history_once_in_order_passes()
    {
        var violations = Check(Member(history: "100-2", "100-3", "100-4", "100-5"));

        Assert.Empty(violations);
    }

    [Fact]
    public void A_missing_message_is_reported_with_its_index_the_expected_id_and_the_id_received()
    {
        var violations = Check(Member(history: null, "100-1", "100-2", "100-4", "100-5"));

        var violation = Assert.Single(violations);
        Assert.Contains("member m: first divergence at index 2: expected 100-3, got 100-4", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_delivered_twice_is_a_divergence()
    {
        var violations = Check(Member(history: "100-3", "100-4", "100-4", "100-5"));

        var violation = Assert.Single(violations);
        Assert.Contains("first divergence at index 1: expected 100-5, got 100-4", violation, StringComparison.Ordinal);
        Assert.Contains("1 of them duplicates", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_missing_at_the_end_are_reported_as_nothing_more()
    {
        var violations = Check(Member(history: "100-3", "100-4"));

        Assert.Contains("first divergence at index 1: expected 100-5, got nothing more", Assert.Single(violations), StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_id_stored_twice_is_reported()
    {
        StreamEntry[] stream = [Entry("100-1", "c1", "m1"), Entry("100-2", "c1", "m1")];

        var violations = Check(stream, [], Member(history: "100-2"));

        Assert.Contains("client_id c1 is stored twice, as 100-1 and 100-2", Assert.Single(violations), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ack_the_stream_does_not_hold_or_holds_differently_is_reported()
    {
        var violations = Check(Stream, [Acked("c1", "100-1", "m1"), Acked("c9", "100-9", "m9"), Acked("c3", "100-2", "m3")], Member(history: "100-5"));

        Assert.Equal(2, violations.Count);
        Assert.Contains("client_id c9 was acked as 100-9, which the stream does not hold", violations[0], StringComparison.Ordinal);
        Assert.Contains("stream entry 100-2 holds client_id 'c2'", violations[1], StringComparison.Ordinal);
    }

    [Fact]
    public void An_expected_recovered_false_may_skip_ahead_and_repeat_ids_already_seen()
    {
        // Saw 100-1, then a recovered:false frame held 100-1 again and jumped to 100-4.
        var member = Member(history: null, "100-1", "100-1", "100-4", "100-5") with { NotRecovered = [(1, 2)] };

        Assert.Empty(Check(Stream, [], member, recoveredFalseExpected: true));
        Assert.NotEmpty(Check(Stream, [], member, recoveredFalseExpected: false));
    }

    [Fact]
    public void A_gap_outside_a_recovered_false_frame_fails_even_when_recovered_false_is_expected()
    {
        var member = Member(history: null, "100-1", "100-1", "100-2", "100-4", "100-5") with { NotRecovered = [(1, 2)] };

        var violations = Check(Stream, [], member, recoveredFalseExpected: true);

        Assert.Contains("first divergence at index 3: expected 100-3, got 100-4", Assert.Single(violations), StringComparison.Ordinal);
    }

    private static List<string> Check(MemberRecord member) => Check(Stream, [], member);

    private static List<string> Check(StreamEntry[] stream, KeyValuePair<string, AckedMessage>[] acked, MemberRecord member, bool recoveredFalseExpected = false)
    {
        var violations = new List<string>();
        NoLossChecker.CheckRoom(Room, stream, acked, [member], recoveredFalseExpected, violations);
        return violations;
    }

    private static MemberRecord Member(string? history, params string[] received) => new("m", history, received, [], received.LastOrDefault() ?? "nothing");

    private static KeyValuePair<string, AckedMessage> Acked(string clientId, string id, string content) => new(clientId, new AckedMessage(id, content));

    private static StreamEntry Entry(string id, string clientId, string content) =>
        new(id, [new NameValueEntry("u", "alice"), new NameValueEntry("c", content), new NameValueEntry("t", "2026-11-27T00:00:00.000Z"), new NameValueEntry("k", clientId)]);
}
