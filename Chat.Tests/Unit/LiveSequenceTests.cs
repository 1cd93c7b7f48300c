using System.Text;
using Chat.Api.Protocol;
using Chat.Api.Rooms;

namespace Chat.Tests.Unit;

/// <summary>The gap check of a room's live stream (docs/guarantees.md, "Live delivery heals its own gaps").</summary>
public sealed class LiveSequenceTests
{
    private static PublishedMessage Published(string epoch, string previous, string id) =>
        new(MessageId.Parse(id), MessageId.Parse(previous), Encoding.UTF8.GetBytes(epoch), 0, ReadOnlyMemory<byte>.Empty);

    private static LiveSequence At(string epoch, string last)
    {
        var sequence = new LiveSequence();
        sequence.Reset(epoch, MessageId.Parse(last));
        return sequence;
    }

    [Fact]
    public void A_message_whose_previous_id_is_the_last_dispatched_is_next() =>
        Assert.Equal(LiveStep.Next, At("e", "5-0").Classify(Published("e", "5-0", "6-0")));

    [Fact]
    public void The_first_message_of_an_empty_stream_is_next() =>
        Assert.Equal(LiveStep.Next, At("e", "0-0").Classify(Published("e", "0-0", "1-0")));

    [Fact]
    public void A_previous_id_newer_than_the_last_dispatched_is_a_gap() =>
        Assert.Equal(LiveStep.Gap, At("e", "5-0").Classify(Published("e", "7-0", "8-0")));

    [Theory]
    [InlineData("4-0", "5-0")]
    [InlineData("3-0", "4-0")]
    public void A_message_at_or_before_the_last_dispatched_is_a_duplicate(string previous, string id) =>
        Assert.Equal(LiveStep.Duplicate, At("e", "5-0").Classify(Published("e", previous, id)));

    [Fact]
    public void Another_epoch_is_a_restart_even_when_the_ids_fit() =>
        Assert.Equal(LiveStep.Restart, At("e", "5-0").Classify(Published("f", "5-0", "6-0")));

    [Fact]
    public void A_previous_id_older_than_the_last_dispatched_below_a_newer_id_is_a_restart() =>
        Assert.Equal(LiveStep.Restart, At("e", "5-0").Classify(Published("e", "3-0", "9-0")));

    [Fact]
    public void Advancing_moves_the_position_forward_only()
    {
        var sequence = At("e", "5-0");
        sequence.Advance(MessageId.Parse("7-0"));
        sequence.Advance(MessageId.Parse("6-0"));

        Assert.Equal(MessageId.Parse("7-0"), sequence.Last);
        Assert.Equal(LiveStep.Next, sequence.Classify(Published("e", "7-0", "8-0")));
    }

    [Fact]
    public void A_gap_filled_message_by_message_ends_where_the_late_publish_is_next()
    {
        // Pub/sub dropped 6 and 7; 8 arrives naming 7. The pump fills 6 and 7 from the stream.
        var sequence = At("e", "5-0");
        var late = Published("e", "7-0", "8-0");
        Assert.Equal(LiveStep.Gap, sequence.Classify(late));

        sequence.Advance(MessageId.Parse("6-0"));
        sequence.Advance(MessageId.Parse("7-0"));

        Assert.Equal(LiveStep.Next, sequence.Classify(late));
        // 7 arriving late by pub/sub after the fill is dropped.
        Assert.Equal(LiveStep.Duplicate, sequence.Classify(Published("e", "6-0", "7-0")));
    }
}
