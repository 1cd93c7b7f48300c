using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace Chat.Api.Connections;

/// <summary>
/// Sits between a chat socket's WebSocket and the upgraded connection so that a batch of
/// messages (one <see cref="OutgoingBatch"/> item) reaches Kestrel as one write and one flush
/// instead of one per message. Between <see cref="BeginBatch"/> and the last message's send,
/// writes collect in a rented buffer; the last write (<see cref="EndBatchOnNextWrite"/>) sends
/// the buffer and itself together. Every write to the connection thus happens inside one of the
/// WebSocket's own sends, under its send lock. The WebSocket also writes between two of the
/// batch's sends (its send lock is free there): a pong or keep-alive ping, or the close frame its
/// receive side writes on invalid UTF-8 or a protocol error, after which it aborts and the batch's
/// last send never comes. Such a control frame therefore ends the batch: it goes out at once, after
/// everything collected before it, and the batch's remaining messages pass straight through.
/// Outside a batch every write passes straight through.
/// </summary>
public sealed class BatchWriteStream(Stream inner) : Stream
{
    private byte[]? _buffer;
    private int _count;
    private bool _batching;
    private bool _lastWrite;

    /// <summary>From now on, writes collect until the one after <see cref="EndBatchOnNextWrite"/>.</summary>
    public void BeginBatch(int expectedBytes)
    {
        // Rented per batch, not per connection: an idle socket holds no send buffer.
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(expectedBytes, 4096));
        _count = 0;
        _lastWrite = false;
        _batching = true;
    }

    /// <summary>The next write is the batch's last: it goes out with everything collected.</summary>
    public void EndBatchOnNextWrite() => _lastWrite = true;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_batching)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        // Every write is one whole frame; a server frame is unmasked, its first byte FIN, RSV and
        // the opcode, and control opcodes (close, ping, pong) have bit 3 set.
        var ends = _lastWrite || (buffer.Length > 0 && (buffer.Span[0] & 0x08) != 0);
        if (_count + buffer.Length > _buffer!.Length)
        {
            // More than expected (control frames, header sizes): send what there is and go on.
            await inner.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken);
            _count = 0;
        }

        if (buffer.Length > _buffer.Length)
        {
            await inner.WriteAsync(buffer, cancellationToken);
        }
        else
        {
            buffer.Span.CopyTo(_buffer.AsSpan(_count));
            _count += buffer.Length;
        }

        if (ends)
        {
            var collected = _buffer;
            var count = _count;
            _batching = false;
            _lastWrite = false;
            _buffer = null;
            _count = 0;
            try
            {
                await inner.WriteAsync(collected.AsMemory(0, count), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(collected);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _batching ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A batch's buffer is not returned here: an abort (a timer's or a cancellation's
            // thread) can dispose the stream while the send loop is still copying into it, and a
            // returned array may already be someone else's. An aborted batch's buffer goes to the GC.
            _buffer = null;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Wraps the request's upgrade so the WebSocket middleware accepts the socket onto a
    /// <see cref="BatchWriteStream"/>; the handshake itself stays the framework's.
    /// </summary>
    public sealed class UpgradeFeature(IHttpUpgradeFeature upgrade) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => upgrade.IsUpgradableRequest;

        public BatchWriteStream? Stream { get; private set; }

        public async Task<Stream> UpgradeAsync()
        {
            Stream = new BatchWriteStream(await upgrade.UpgradeAsync());
            return Stream;
        }
    }
}
