using Chat.Api.Connections;

namespace Chat.Tests.Unit;

/// <summary>A batch of frames reaches the connection as one write, in order; outside a batch writes pass straight through.</summary>
public sealed class BatchWriteStreamTests
{
    private sealed class RecordingStream : MemoryStream
    {
        public List<byte[]> Writes { get; } = [];

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_batch_is_one_write_holding_every_frame_in_order_and_later_writes_pass_through()
    {
        var inner = new RecordingStream();
        await using var stream = new BatchWriteStream(inner);

        await stream.WriteAsync("a"u8.ToArray());
        stream.BeginBatch(64);
        await stream.WriteAsync("b"u8.ToArray());
        // A control frame the WebSocket writes in between (a pong) keeps its place.
        await stream.WriteAsync("p"u8.ToArray());
        stream.EndBatchOnNextWrite();
        await stream.WriteAsync("c"u8.ToArray());
        await stream.WriteAsync("d"u8.ToArray());

        Assert.Equal(["a", "bpc", "d"], inner.Writes.Select(w => System.Text.Encoding.ASCII.GetString(w)));
    }

    [Fact]
    public async Task A_batch_larger_than_expected_is_sent_in_parts_without_losing_or_reordering_bytes()
    {
        var inner = new RecordingStream();
        await using var stream = new BatchWriteStream(inner);

        stream.BeginBatch(16);
        var frames = Enumerable.Range(0, 10).Select(i => new string((char)('a' + i), 1000)).ToList();
        for (var i = 0; i < frames.Count; i++)
        {
            if (i == frames.Count - 1)
            {
                stream.EndBatchOnNextWrite();
            }

            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(frames[i]));
        }

        Assert.Equal(string.Concat(frames), string.Concat(inner.Writes.Select(w => System.Text.Encoding.ASCII.GetString(w))));
        Assert.True(inner.Writes.Count < frames.Count);
    }
}
