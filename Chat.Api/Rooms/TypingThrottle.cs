namespace Chat.Api.Rooms;

/// <summary>
/// One room's typing throttle on this replica: a user's <c>typing</c> is forwarded at most once per
/// interval, the rest dropped. Protocol rather than abuse control, so it applies whatever
/// <c>Limits:Enabled</c> says. Its own lock, so typing never waits behind a presence write.
/// </summary>
public sealed class TypingThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _lastForwarded = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="subject"/>'s typing may be forwarded now; if so, the interval starts again.</summary>
    public bool TryTake(string subject)
    {
        var now = time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            if (_lastForwarded.TryGetValue(subject, out var last) && now - last < interval.Ticks)
            {
                return false;
            }

            _lastForwarded[subject] = now;
            return true;
        }
    }

    /// <summary>The subject's last socket here left: nothing to remember.</summary>
    public void Forget(string subject)
    {
        lock (_lock)
        {
            _lastForwarded.Remove(subject);
        }
    }
}
