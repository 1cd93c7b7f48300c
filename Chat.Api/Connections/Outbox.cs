using System.Threading.Tasks.Sources;

namespace Chat.Api.Connections;

/// <summary>
/// The queue of frames waiting for one connection's socket (between a room's pump or the receive
/// loop, and the send loop), bounded in bytes: a frame counts from the moment it is queued until
/// the socket has taken all of it. Live producers never wait: a frame that would pass the bound
/// is refused and the connection is told to close with 1013, so one slow reader can neither stall
/// a room nor pin more than the bound. History producers wait for room instead
/// (<see cref="WaitForSpaceAsync"/>), so a long resume flows at the reader's pace.
/// </summary>
/// <remarks>
/// Many producers, one reader (the send loop). Not a <c>Channel</c>: an unbounded channel starts
/// with a 32-slot segment and two reusable reader operations, about 2 KiB per connection before
/// anything is queued, and most sockets sit idle. Here an empty outbox is a few fields and an
/// empty queue, the queue grows only as deep as the reader falls behind, and gives a deep array
/// back once drained; the parked reader is this object itself (<see cref="IValueTaskSource{TResult}"/>).
/// </remarks>
public sealed class Outbox : IValueTaskSource<bool>
{
    // Past this many slots, a drained queue gives its array back: a burst must not pin memory
    // for the rest of the connection's life.
    private const int KeptCapacity = 4;

    private readonly Queue<OutgoingFrame> _frames = new();
    private readonly long _capacityBytes;
    private readonly Action _onOverflow;
    private long _queuedBytes;
    private TaskCompletionSource? _spaceWaiter;

    // The send loop's wait. _readerWaiting and _writingDone change under the lock on _frames; whoever
    // turns _readerWaiting off completes the wait, so it completes exactly once.
    private ManualResetValueTaskSourceCore<bool> _reader = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _readerCancellation;
    private bool _readerWaiting;
    private bool _writingDone;

    // Set by Complete. Frames still queued may be drained after it, and a closing connection may
    // leave frames behind.
    private volatile bool _completed;

    public Outbox(long capacityBytes, Action onOverflow)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        ArgumentNullException.ThrowIfNull(onOverflow);
        _capacityBytes = capacityBytes;
        _onOverflow = onOverflow;
    }

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

        bool wake;
        lock (_frames)
        {
            if (_writingDone)
            {
                Interlocked.Add(ref _queuedBytes, -length);
                return false;
            }

            _frames.Enqueue(frame);
            wake = _readerWaiting;
            _readerWaiting = false;
        }

        if (wake)
        {
            _reader.SetResult(true);
        }

        return true;
    }

    /// <summary>The send loop takes the next frame, if any.</summary>
    public bool TryRead(out OutgoingFrame frame)
    {
        lock (_frames)
        {
            if (!_frames.TryDequeue(out frame))
            {
                return false;
            }

            if (_frames.Count == 0 && _frames.EnsureCapacity(0) > KeptCapacity)
            {
                _frames.TrimExcess();
            }

            return true;
        }
    }

    /// <summary>
    /// The send loop waits for a frame: true when one can be read, false once the outbox is
    /// completed and drained. One reader only, one wait at a time.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        lock (_frames)
        {
            if (_frames.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_writingDone)
            {
                return new ValueTask<bool>(false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }

            _reader.Reset();
            _readerWaiting = true;
        }

        // Registered outside the lock: a token cancelled meanwhile runs the callback right here.
        _readerCancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Outbox)state!).CancelRead(token), this);
        return new ValueTask<bool>(this, _reader.Version);
    }

    /// <summary>
    /// Waits until <paramref name="bytes"/> more fit under the bound. False when the connection
    /// closed meanwhile. Only one producer waits at a time: the join's history, and after it the
    /// receive loop (flow control of a sender that does not read).
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
        bool wake;
        lock (_frames)
        {
            _writingDone = true;
            wake = _readerWaiting;
            _readerWaiting = false;
        }

        if (wake)
        {
            // Nothing was queued while the reader waited, so there is nothing left to drain.
            _reader.SetResult(false);
        }

        Interlocked.Exchange(ref _spaceWaiter, null)?.TrySetResult();
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        try
        {
            return _reader.GetResult(token);
        }
        finally
        {
            _readerCancellation.Dispose();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _reader.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _reader.OnCompleted(continuation, state, token, flags);

    private void CancelRead(CancellationToken cancellationToken)
    {
        lock (_frames)
        {
            if (!_readerWaiting)
            {
                return;
            }

            _readerWaiting = false;
        }

        _reader.SetException(new OperationCanceledException(cancellationToken));
    }
}
