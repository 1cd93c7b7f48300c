namespace Chat.Api.Rooms;

/// <summary>
/// When rooms check their streams after Redis's subscription connection is restored: at once,
/// and once more after a delay, because the restore event may be raised before the client has
/// resubscribed every channel, and a message published in that window would otherwise wait for
/// the room's next message to be noticed. A restore during the delay restarts it.
/// </summary>
public sealed class ResyncSchedule(TimeProvider time, TimeSpan delay, Action resync) : IDisposable
{
    private ITimer? _delayed;

    public void OnRestored()
    {
        resync();
        var timer = time.CreateTimer(_ => resync(), null, delay, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _delayed, timer)?.Dispose();
    }

    public void Dispose() => Interlocked.Exchange(ref _delayed, null)?.Dispose();
}
