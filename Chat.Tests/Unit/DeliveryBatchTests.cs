using Chat.Api.Connections;
using Chat.Api.Protocol;
using Chat.Api.Rooms;

namespace Chat.Tests.Unit;

/// <summary>
/// A published append batch reaches a member as one queue item (docs/guarantees.md, "Order and
/// duplicates"): only what the member was not sent yet, counted against its byte bound.
/// </summary>
public sealed class DeliveryBatchTests
{
    private static PublishedMessage Message(string id, int bytes) =>
        new(MessageId.Parse(id), MessageId.None, "e"u8.ToArray(), 1, new byte[bytes]);

    private static OutgoingBatch Batch(params PublishedMessage[] messages) => new(messages);

    private static List<(OutgoingFrame Frame, List<int> Lengths)> Drain(Outbox outbox)
    {
        var items = new List<(OutgoingFrame, List<int>)>();
        while (outbox.TryRead(out var frame))
        {
            var lengths = frame.Batch is { } batch
                ? batch.Messages[frame.First..].Select(m => m.Frame.Length).ToList()
                : [frame.Payload.Length];
            items.Add((frame, lengths));
        }

        return items;
    }

    [Fact]
    public void A_batch_is_one_queue_item_holding_all_its_bytes()
    {
        var outbox = new Outbox(10_000, () => { });
        var member = new RoomMember(outbox, _ => { });
        member.CompleteCatchUp(MessageId.None);

        member.DeliverBatch(Batch(Message("1-0", 10), Message("2-0", 20), Message("3-0", 30)));

        Assert.Equal(60, outbox.QueuedBytes);
        var item = Assert.Single(Drain(outbox));
        Assert.Equal([10, 20, 30], item.Lengths);
        Assert.Equal(60, item.Frame.Length);
    }

    [Fact]
    public void A_member_is_sent_only_the_part_of_a_batch_after_what_it_already_has()
    {
        var outbox = new Outbox(10_000, () => { });
        var member = new RoomMember(outbox, _ => { });
        member.CompleteCatchUp(MessageId.Parse("2-0"));

        member.DeliverBatch(Batch(Message("1-0", 10), Message("2-0", 20), Message("3-0", 30), Message("4-0", 40)));
        member.DeliverBatch(Batch(Message("3-0", 30), Message("4-0", 40)));

        var item = Assert.Single(Drain(outbox));
        Assert.Equal([30, 40], item.Lengths);
        Assert.Equal(70, item.Frame.Length);
    }

    [Fact]
    public void A_batch_during_catch_up_is_held_back_and_released_above_the_history()
    {
        var outbox = new Outbox(10_000, () => { });
        var member = new RoomMember(outbox, _ => { });

        member.DeliverBatch(Batch(Message("1-0", 10), Message("2-0", 20), Message("3-0", 30)));
        Assert.Equal(0, outbox.QueuedBytes);
        member.CompleteCatchUp(MessageId.Parse("2-0"));

        Assert.Equal([[30]], Drain(outbox).Select(i => i.Lengths));
    }

    [Fact]
    public void A_batch_that_would_pass_the_byte_bound_closes_the_member_instead()
    {
        var overflows = 0;
        var outbox = new Outbox(1000, () => overflows++);
        var member = new RoomMember(outbox, _ => { });
        member.CompleteCatchUp(MessageId.None);

        member.DeliverBatch(Batch(Message("1-0", 600), Message("2-0", 600)));

        Assert.Equal(1, overflows);
        Assert.Equal(0, outbox.QueuedBytes);
    }
}
