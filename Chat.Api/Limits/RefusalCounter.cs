namespace Chat.Api.Limits;

/// <summary>
/// Counts one socket's rate-limit refusals over a sliding window: the times of the last
/// <c>max + 1</c> refusals, kept only once a socket has been refused at all. Over the limit when
/// the oldest of them is still inside the window.
/// </summary>
public sealed class RefusalCounter(int max, TimeSpan window)
{
    private readonly long[] _times = new long[max + 1];
    private int _next;
    private int _count;

    /// <summary>Records a refusal at <paramref name="nowTicks"/>; true when more than the allowed number fell within the window.</summary>
    public bool Add(long nowTicks)
    {
        _times[_next] = nowTicks;
        _next = (_next + 1) % _times.Length;
        if (_count < _times.Length)
        {
            _count++;
        }

        // Once max + 1 refusals are recorded, _next points at the oldest of them.
        return _count == _times.Length && nowTicks - _times[_next] <= window.Ticks;
    }
}
