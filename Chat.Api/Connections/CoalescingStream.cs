using System.Buffers;

namespace Chat.Api.Connections;

/// <summary>
/// Sits between a server WebSocket and the upgraded HTTP connection so that the send loop can
/// write a run of queued frames with one socket write instead of one per frame. Profiling showed
/// the per-frame pipe flush and send syscall as the largest cost of fan-out (docs/benchmarks.md).
/// Outside a batch every write passes straight through, so control frames the WebSocket sends on
/// its own (pongs, keep-alive pings, close) are never held back.
/// </summary>
public sealed class CoalescingStream(Stream inner, int maxBatchBytes) : Stream
{
    // Serializes writes to the inner stream: the WebSocket's own sends and our batch flushes.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private byte[]? _buffer;
    private int _count;
    private bool _batching;

    /// <summary>From now until <see cref="EndBatchAsync"/>, writes collect in memory.</summary>
    public void BeginBatch() => _batching = true;

    /// <summary>Writes what the batch collected in one go and returns to pass-through.</summary>
    public async ValueTask EndBatchAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _batching = false;
            await FlushBufferAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (!_batching)
            {
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            if (_count + buffer.Length > maxBatchBytes)
            {
                await FlushBufferAsync(cancellationToken);
                if (buffer.Length > maxBatchBytes)
                {
                    await inner.WriteAsync(buffer, cancellationToken);
                    return;
                }
            }

            // Rented per batch, not per connection: an idle socket holds no send buffer.
            _buffer ??= ArrayPool<byte>.Shared.Rent(maxBatchBytes);
            buffer.Span.CopyTo(_buffer.AsSpan(_count));
            _count += buffer.Length;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        // Inside a batch the flush happens at its end.
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
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }

            inner.Dispose();
            _writeLock.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_count > 0)
        {
            await inner.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken);
            _count = 0;
        }

        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
