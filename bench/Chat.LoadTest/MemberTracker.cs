using Chat.LoadTest.Targets;
using HdrHistogram;

namespace Chat.LoadTest;

/// <summary>
/// One member's view of a run: which messages of each sender in its room it has seen (senders
/// keep their own order on every system here, so a next-expected sequence per sender suffices),
/// repeats, and the latency of what arrived inside the measurement window.
/// </summary>
public sealed class MemberTracker(int firstSender, int senderCount, bool repeatsHistory, Func<long> measureStart, Func<long> measureEnd)
    : IDeliverySink
{
    /// <summary>
    /// The histograms' range: they record microseconds, so ten minutes is 600,000,000 (not
    /// <c>TimeStamp.Minutes(10)</c>, which is in Stopwatch ticks and sized them 1.5 times larger,
    /// about 500 KB per member, a gigabyte for a room of 2,000).
    /// </summary>
    public const long HighestLatencyMicroseconds = 10 * 60 * 1_000_000L;

    private readonly long[] _nextSequence = new long[senderCount];

    /// <summary>From the intended send time: what a user of the system would see.</summary>
    public LongHistogram Latency { get; } = new(HighestLatencyMicroseconds, 3);

    /// <summary>From the actual send: the system's own part, without the generator's scheduling lag.</summary>
    public LongHistogram ServiceLatency { get; } = new(HighestLatencyMicroseconds, 3);

    /// <summary>Distinct messages received.</summary>
    public long Unique { get; private set; }

    /// <summary>Messages received again (never expected except from the seed's history frames).</summary>
    public long Duplicates { get; private set; }

    /// <summary>Distinct messages whose intended send time fell inside the window.</summary>
    public long DeliveredInWindow { get; private set; }

    public long Errors { get; private set; }

    /// <summary>Messages skipped over: a later one from the same sender came first.</summary>
    public long Gaps { get; private set; }

    public Action? AckReceived { get; set; }

    /// <summary>Completes with the socket's first frame: the member has joined and caught up.</summary>
    public Task Joined => _joined.Task;

    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnFrame() => _joined.TrySetResult();

    /// <summary>Per sender of the room: how many distinct messages arrived.</summary>
    public long ReceivedFrom(int sender) => _nextSequence[sender - firstSender];

    public void OnMessage(ReadOnlySpan<byte> content)
    {
        var now = MessageStamp.Now();
        if (!MessageStamp.TryRead(content, out var sender, out var sequence, out var intended, out var sent))
        {
            return;
        }

        var slot = sender - firstSender;
        if ((uint)slot >= (uint)_nextSequence.Length)
        {
            return; // another room's message: never expected
        }

        var expected = _nextSequence[slot];
        if (sequence < expected)
        {
            if (!repeatsHistory)
            {
                Duplicates++;
            }

            return;
        }

        Gaps += sequence - expected;
        _nextSequence[slot] = sequence + 1;
        Unique++;
        if (intended >= measureStart() && intended < measureEnd())
        {
            DeliveredInWindow++;
            Latency.RecordValue((long)MessageStamp.ToMicroseconds(Math.Max(0, now - intended)));
            ServiceLatency.RecordValue((long)MessageStamp.ToMicroseconds(Math.Max(0, now - sent)));
        }
    }

    public void OnAck() => AckReceived?.Invoke();

    public void OnError() => Errors++;

    /// <summary>The close code, when the server closed this member's socket during the run.</summary>
    public System.Net.WebSockets.WebSocketCloseStatus? ClosedByServer { get; private set; }

    public void OnClosed(System.Net.WebSockets.WebSocketCloseStatus? status) => ClosedByServer = status ?? System.Net.WebSockets.WebSocketCloseStatus.Empty;
}
