using System.Collections.Concurrent;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// What every client of a run reports while it runs: failures as they happen (with who saw
/// them) and counters. Thread-safe and cheap, since every delivered message touches it.
/// </summary>
internal sealed class NoLossJournal
{
    private readonly ConcurrentQueue<string> _failures = new();
    private long _sent;
    private long _resent;
    private long _acked;
    private long _delivered;
    private long _memberReconnects;
    private long _senderReconnects;
    private long _recoveredFalse;
    private long _unavailable;

    public IReadOnlyCollection<string> Failures => _failures;

    public long Sent => Interlocked.Read(ref _sent);

    public long Resent => Interlocked.Read(ref _resent);

    public long Acked => Interlocked.Read(ref _acked);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long MemberReconnects => Interlocked.Read(ref _memberReconnects);

    public long SenderReconnects => Interlocked.Read(ref _senderReconnects);

    public long RecoveredFalse => Interlocked.Read(ref _recoveredFalse);

    public long Unavailable => Interlocked.Read(ref _unavailable);

    public void Fail(string who, string what) => _failures.Enqueue($"{who}: {what}");

    public void MessageSent() => Interlocked.Increment(ref _sent);

    public void MessageResent() => Interlocked.Increment(ref _resent);

    public void MessageAcked() => Interlocked.Increment(ref _acked);

    public void MessageDelivered() => Interlocked.Increment(ref _delivered);

    public void MemberReconnected() => Interlocked.Increment(ref _memberReconnects);

    public void SenderReconnected() => Interlocked.Increment(ref _senderReconnects);

    public void ResumeNotRecovered() => Interlocked.Increment(ref _recoveredFalse);

    public void SendUnavailable() => Interlocked.Increment(ref _unavailable);
}
