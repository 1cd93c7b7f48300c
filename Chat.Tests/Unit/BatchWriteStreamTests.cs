using System.Net.WebSockets;
using System.Threading.Channels;
using Chat.Api.Connections;

namespace Chat.Tests.Unit;

/// <summary>A batch of frames reaches the connection as one write, in order; outside a batch writes pass straight through.</summary>
public sealed class BatchWriteStreamTests
{
    [Fact]
    public async Task A_batch_is_one_write_holding_every_frame_in_order_and_later_writes_pass_through()
    {
        var inner = new ConnectionStream();
        await using var stream = new BatchWriteStream(inner);

        // Text frames: 0x81 (FIN, opcode 1), then a length and the payload.
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'a' });
        stream.BeginBatch(64);
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'b' });
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'c' });
        stream.EndBatchOnNextWrite();
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'d' });
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'e' });

        Assert.Equal(["a", "bcd", "e"], inner.Writes.Select(Payloads));
    }

    [Fact]
    public async Task A_control_frame_written_inside_a_batch_goes_out_at_once_after_what_was_collected_before_it()
    {
        var inner = new ConnectionStream();
        await using var stream = new BatchWriteStream(inner);

        stream.BeginBatch(64);
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'b' });
        // A pong (0x8A) the WebSocket writes between two of the batch's messages.
        await stream.WriteAsync(new byte[] { 0x8A, 1, (byte)'p' });
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'c' });
        stream.EndBatchOnNextWrite();
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'d' });
        // The next batch collects again.
        stream.BeginBatch(64);
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'e' });
        stream.EndBatchOnNextWrite();
        await stream.WriteAsync(new byte[] { 0x81, 1, (byte)'f' });

        Assert.Equal(["bp", "c", "d", "ef"], inner.Writes.Select(Payloads));
    }

    /// <summary>The payloads of the short frames in one write, concatenated.</summary>
    private static string Payloads(byte[] write) =>
        string.Concat(ServerFrames([write]).Select(f => System.Text.Encoding.ASCII.GetString(f.Payload)));

    [Fact]
    public async Task A_batch_larger_than_expected_is_sent_in_parts_without_losing_or_reordering_bytes()
    {
        var inner = new ConnectionStream();
        await using var stream = new BatchWriteStream(inner);

        stream.BeginBatch(16);
        // Each write starts as a text frame does (0x81); the rest stands for its header and payload.
        var frames = Enumerable.Range(0, 10).Select(i => (byte[])[0x81, .. Enumerable.Repeat((byte)('a' + i), 999)]).ToList();
        for (var i = 0; i < frames.Count; i++)
        {
            if (i == frames.Count - 1)
            {
                stream.EndBatchOnNextWrite();
            }

            await stream.WriteAsync(frames[i]);
        }

        Assert.Equal(frames.SelectMany(f => f), inner.Writes.SelectMany(w => w));
        Assert.True(inner.Writes.Count < frames.Count);
    }

    /// <summary>
    /// The upgraded connection under the stream: every write is recorded; reads come from what the
    /// test feeds. Only the two members the WebSocket and <see cref="BatchWriteStream"/> use are
    /// its own; the rest of a stream is <see cref="MemoryStream"/>'s, never reached.
    /// </summary>
    private sealed class ConnectionStream : MemoryStream
    {
        private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>();
        private byte[] _pending = [];
        private int _offset;

        public List<byte[]> Writes { get; } = [];

        public void Feed(byte[] bytes) => _incoming.Writer.TryWrite(bytes);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_offset == _pending.Length)
            {
                _pending = await _incoming.Reader.ReadAsync(cancellationToken);
                _offset = 0;
            }

            var count = Math.Min(buffer.Length, _pending.Length - _offset);
            _pending.AsMemory(_offset, count).CopyTo(buffer);
            _offset += count;
            return count;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The (opcode, payload) of each unmasked server frame in <paramref name="writes"/> (payloads under 126 bytes).</summary>
    private static List<(int Opcode, byte[] Payload)> ServerFrames(IEnumerable<byte[]> writes)
    {
        var bytes = writes.SelectMany(w => w).ToArray();
        var frames = new List<(int, byte[])>();
        for (var i = 0; i < bytes.Length;)
        {
            var length = bytes[i + 1] & 0x7F;
            Assert.True(length < 126, "the test's frames are short");
            frames.Add((bytes[i] & 0x0F, bytes.AsSpan(i + 2, length).ToArray()));
            i += 2 + length;
        }

        return frames;
    }

    [Fact]
    public async Task A_close_frame_the_WebSocket_writes_from_its_receive_side_during_a_batch_reaches_the_connection()
    {
        // The send loop is between two messages of a batch when the receive side meets invalid
        // UTF-8: the WebSocket layer itself writes its 1007 close (under its send lock, which the
        // send loop does not hold between messages), then aborts the socket, and the batch's next
        // send fails. The close frame must still reach the client.
        var inner = new ConnectionStream();
        var stream = new BatchWriteStream(inner);
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        stream.BeginBatch(64);
        await socket.SendAsync("m1"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        // A masked (mask key 0) text frame from the client holding invalid UTF-8.
        inner.Feed([0x81, 0x82, 0, 0, 0, 0, 0xC3, 0x28]);
        await Assert.ThrowsAsync<WebSocketException>(async () => await socket.ReceiveAsync(new byte[64].AsMemory(), CancellationToken.None));
        // .NET 10 aborts the socket after writing that close, so the batch can never end.
        Assert.Equal(WebSocketState.Aborted, socket.State);

        stream.EndBatchOnNextWrite();
        await Assert.ThrowsAsync<WebSocketException>(async () =>
            await socket.SendAsync("m2"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None));

        var frames = ServerFrames(inner.Writes);
        Assert.Equal([1, 8], frames.Select(f => f.Opcode));
        Assert.Equal("m1", System.Text.Encoding.ASCII.GetString(frames[0].Payload));
        Assert.Equal((int)WebSocketCloseStatus.InvalidPayloadData, (frames[1].Payload[0] << 8) | frames[1].Payload[1]);
    }
}
