using Chat.Api.Connections;
using Chat.Api.Protocol;
using Chat.Api.Rooms;

namespace Chat.Tests.Unit;

/// <summary>The per-connection byte bound (docs/guarantees.md, "Slow members").</summary>
public sealed class OutboxTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private static OutgoingFrame Frame(int bytes) => new(new byte[bytes]);

    [Fact]
    public void Frames_are_refused_and_the_connection_told_once_they_would_pass_the_byte_bound()
    {
        var overflows = 0;
        var outbox = new Outbox(1000, () => overflows++);

        Assert.True(outbox.TryEnqueue(Frame(600)));
        Assert.True(outbox.TryEnqueue(Frame(400)));
        Assert.False(outbox.TryEnqueue(Frame(1)));

        Assert.Equal(1, overflows);
        Assert.Equal(1000, outbox.QueuedBytes);
    }

    [Fact]
    public void Bytes_count_until_the_socket_has_taken_them()
    {
        var outbox = new Outbox(1000, () => { });
        Assert.True(outbox.TryEnqueue(Frame(1000)));
        Assert.True(outbox.TryRead(out var frame));

        // Read but not yet written: still counted.
        Assert.Equal(1000, outbox.QueuedBytes);
        outbox.OnSent(frame.Payload.Length);

        Assert.Equal(0, outbox.QueuedBytes);
        Assert.True(outbox.TryEnqueue(Frame(1000)));
    }

    [Fact]
    public async Task History_waits_for_room_instead_of_overflowing()
    {
        var outbox = new Outbox(1000, () => Assert.Fail("History must never overflow."));
        Assert.True(outbox.TryEnqueue(Frame(800)));

        var waiting = outbox.WaitForSpaceAsync(500, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        Assert.True(outbox.TryRead(out var frame));
        outbox.OnSent(frame.Payload.Length);

        Assert.True(await waiting.WaitAsync(s_timeout));
        Assert.True(outbox.TryEnqueue(Frame(500)));
    }

    [Fact]
    public async Task A_closing_connection_releases_the_history_wait_and_refuses_frames_without_an_overflow()
    {
        var overflows = 0;
        var outbox = new Outbox(1000, () => overflows++);
        Assert.True(outbox.TryEnqueue(Frame(1000)));
        var waiting = outbox.WaitForSpaceAsync(10, CancellationToken.None).AsTask();

        outbox.Complete();

        Assert.False(await waiting.WaitAsync(s_timeout));
        Assert.False(outbox.TryEnqueue(Frame(10_000)));
        Assert.Equal(0, overflows);
    }

    [Fact]
    public async Task The_readers_wait_wakes_for_a_frame_drains_after_completion_then_ends()
    {
        var outbox = new Outbox(1000, () => { });
        var waiting = outbox.WaitToReadAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        Assert.True(outbox.TryEnqueue(Frame(10)));
        Assert.True(await waiting.WaitAsync(s_timeout));

        // Completed with a frame still queued: it is read first, then the wait says the end.
        outbox.Complete();
        Assert.True(await outbox.WaitToReadAsync(CancellationToken.None));
        Assert.True(outbox.TryRead(out _));
        Assert.False(await outbox.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_readers_wait_ends_at_completion_or_cancellation_and_can_wait_again()
    {
        var outbox = new Outbox(1000, () => { });
        using var cancellation = new CancellationTokenSource();
        var cancelled = outbox.WaitToReadAsync(cancellation.Token).AsTask();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(s_timeout));

        var waiting = outbox.WaitToReadAsync(CancellationToken.None).AsTask();
        outbox.Complete();
        Assert.False(await waiting.WaitAsync(s_timeout));
        Assert.False(outbox.TryEnqueue(Frame(10)));
    }

    [Fact]
    public void An_outbox_drained_of_a_deep_queue_keeps_working()
    {
        var outbox = new Outbox(100_000, () => { });
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(outbox.TryEnqueue(Frame(10)));
        }

        var read = 0;
        while (outbox.TryRead(out _))
        {
            read++;
        }

        Assert.Equal(1000, read);
        Assert.True(outbox.TryEnqueue(Frame(10)));
        Assert.True(outbox.TryRead(out _));
    }

    [Fact]
    public void Live_messages_held_back_during_catch_up_share_the_byte_bound()
    {
        var overflows = 0;
        var outbox = new Outbox(1000, () => overflows++);
        var member = new RoomMember(outbox, _ => { });

        member.Deliver(Message("1-0", 600));
        Assert.Equal(0, overflows);
        member.Deliver(Message("2-0", 600));

        Assert.Equal(1, overflows);
        Assert.Equal(0, outbox.QueuedBytes);
    }

    [Fact]
    public void Catch_up_releases_only_messages_newer_than_the_history_once()
    {
        var outbox = new Outbox(10_000, () => { });
        var member = new RoomMember(outbox, _ => { });
        member.Deliver(Message("1-0", 10));
        member.Deliver(Message("2-0", 20));
        member.Deliver(Message("3-0", 30));

        member.CompleteCatchUp(MessageId.Parse("2-0"));
        member.Deliver(Message("3-0", 30));
        member.Deliver(Message("4-0", 40));

        var lengths = new List<int>();
        while (outbox.TryRead(out var frame))
        {
            lengths.Add(frame.Payload.Length);
        }

        Assert.Equal([30, 40], lengths);
    }

    [Theory]
    [InlineData(1024 * 1024, 4000, 500, 61)]
    [InlineData(256 * 1024, 4000, 500, 15)]
    [InlineData(1024 * 1024, 100, 500, 500)]
    [InlineData(1024 * 1024, 100, 20, 20)]
    [InlineData(64 * 1024, 100_000, 500, 1)]
    public void A_resume_page_holds_no_more_than_the_outgoing_bound_of_the_largest_messages(long bound, int maxContent, int batch, int expected)
    {
        var options = new Chat.Api.Options.ChatOptions { OutgoingQueueBytes = bound, MaxContentLength = maxContent, ResumeBatchSize = batch };

        Assert.Equal(expected, ResumePaging.PageSize(options));
    }

    private static PublishedMessage Message(string id, int bytes) =>
        new(MessageId.Parse(id), MessageId.None, "e"u8.ToArray(), 0, new byte[bytes]);
}
