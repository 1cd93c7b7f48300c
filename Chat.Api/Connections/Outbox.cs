using System.Threading.Channels;

namespace Chat.Api.Connections;

/// <summary>
/// The queue of frames waiting for one connection's socket (between a room's pump or the receive
/// loop, and the send loop), bounded in bytes: a frame counts from the moment it is queued until
/// the socket has taken all of it. Live producers never wait: a frame that would pass the bound
/// is refused and the connection is told to close with 1013, so one slow reader can neither stall
/// a room nor pin more than the bound. History producers wait for room instead
/// (<see cref="WaitForSpaceAsync"/>), so a long resume flows at the reader's pace.
/// </summary>
public sealed class Outbox
{
    private readonly Channel<OutgoingFrame> _channel = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });

    private readonly long _capacityBytes;
    private readonly Action _onOverflow;
    private long _queuedBytes;
    private TaskCompletionSource? _spaceWaiter;

    // Set by Complete. The channel's own Completion only finishes once the queue is drained,
    // and a closing connection may leave frames behind.
    private volatile bool _completed;

    public Outbox(long capacityBytes, Action onOverflow)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        ArgumentNullException.ThrowIfNull(onOverflow);
        _capacityBytes = capacityBytes;
        _onOverflow = onOverflow;
    }

    public ChannelReader<OutgoingFrame> Reader => _channel.Reader;

    public long CapacityBytes => _capacityBytes;

    /// <summary>Bytes queued or being written right now.</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    private bool IsCompleted => _completed;

    /// <summary>Queues a frame; when it would pass the bound, signals an overflow and returns false.</summary>
    public bool TryEnqueue(in OutgoingFrame frame)
    {
        var length = frame.Length;
        if (Interlocked.Add(ref _queuedBytes, length) > _capacityBytes)
        {
            Interlocked.Add(ref _queuedBytes, -length);
            // A closing connection refuses frames too; only a live queue overflows.
            if (!IsCompleted)
            {
                _onOverflow();
            }

            return false;
        }

        if (_channel.Writer.TryWrite(frame))
        {
            return true;
        }

        Interlocked.Add(ref _queuedBytes, -length);
        return false;
    }

    /// <summary>
    /// Waits until <paramref name="bytes"/> more fit under the bound. False when the connection
    /// closed meanwhile. Only one producer (the join's history) waits at a time.
    /// </summary>
    public async ValueTask<bool> WaitForSpaceAsync(int bytes, CancellationToken cancellationToken)
    {
        while (QueuedBytes + bytes > _capacityBytes && !IsCompleted)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // A full fence, paired with OnSent's: either this re-check sees the bytes it freed, or
            // OnSent sees this waiter.
            Interlocked.Exchange(ref _spaceWaiter, waiter);
            // Re-check after publishing the waiter: a frame sent in between would not have seen it.
            if (QueuedBytes + bytes <= _capacityBytes || IsCompleted)
            {
                break;
            }

            await waiter.Task.WaitAsync(cancellationToken);
        }

        return !IsCompleted;
    }

    /// <summary>The send loop finished writing a frame of <paramref name="bytes"/>.</summary>
    public void OnSent(int bytes)
    {
        Interlocked.Add(ref _queuedBytes, -bytes);
        // Per delivery: a plain read, and the exchange only while a history producer waits.
        if (Volatile.Read(ref _spaceWaiter) is not null)
        {
            Interlocked.Exchange(ref _spaceWaiter, null)?.TrySetResult();
        }
    }

    /// <summary>Signals an overflow that happened before frames reached this queue (held back during catch-up).</summary>
    public void ReportOverflow() => _onOverflow();

    /// <summary>No more frames will be queued; the send loop drains or abandons what is left.</summary>
    public void Complete()
    {
        _completed = true;
        _channel.Writer.TryComplete();
        Interlocked.Exchange(ref _spaceWaiter, null)?.TrySetResult();
    }
}
