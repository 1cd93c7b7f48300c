using Chat.Api.Protocol;

namespace Chat.Api.Rooms;

/// <summary>
/// A room's join and leave events on this replica, held for up to one window and coalesced
/// before they reach its members: the first event of a window starts it, and when it ends the
/// window hands over what is left. Per subject only the net change counts: a join and a leave
/// inside one window cancel out (the subject is as it was before), so does a leave and a join.
/// Past <c>Presence:MaxEventsPerWindow</c> net changes the batch asks for one fresh snapshot
/// instead, so a join storm costs each member one frame per window, not one per joiner. Pure
/// apart from its <see cref="TimeProvider"/> timer, so it is unit-tested with a fake clock.
/// </summary>
public sealed class PresenceWindow : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _length;
    private readonly int _maxEvents;
    private readonly Action<PresenceBatch> _flush;

    // Per subject: the first and last event of this window, in order of first appearance.
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<Pending> _pending = [];
    private ITimer? _timer;
    private bool _disposed;

    public PresenceWindow(TimeProvider time, TimeSpan length, int maxEvents, Action<PresenceBatch> flush)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(flush);
        _time = time;
        _length = length;
        _maxEvents = maxEvents;
        _flush = flush;
    }

    /// <summary>Adds a join or leave; starts the window when it is the first one.</summary>
    public void Add(PresenceSignal change)
    {
        if (change.Kind == PresenceSignalKind.Typing)
        {
            throw new ArgumentException("Typing is not coalesced.", nameof(change));
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_index.TryGetValue(change.Subject, out var at))
            {
                _pending[at] = _pending[at] with { Last = change };
            }
            else
            {
                _index[change.Subject] = _pending.Count;
                _pending.Add(new Pending(change.Kind, change));
            }

            _timer ??= _time.CreateTimer(static state => ((PresenceWindow)state!).Flush(), this, _length, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Ends the window now (the timer does this after its length).</summary>
    public void Flush()
    {
        PresenceBatch batch;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            if (_pending.Count == 0)
            {
                return;
            }

            var changes = new List<PresenceSignal>(_pending.Count);
            foreach (var pending in _pending)
            {
                // Events of one subject alternate (the scripts publish 0→1 and 1→0 only): a
                // window whose last event is the opposite of its first one changed nothing.
                if (pending.Last.Kind == pending.First)
                {
                    changes.Add(pending.Last);
                }
            }

            _pending.Clear();
            _index.Clear();
            if (changes.Count == 0)
            {
                return;
            }

            batch = changes.Count > _maxEvents ? new PresenceBatch([], Snapshot: true) : new PresenceBatch(changes, Snapshot: false);
        }

        _flush(batch);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            _pending.Clear();
            _index.Clear();
        }
    }

    private readonly record struct Pending(PresenceSignalKind First, PresenceSignal Last);
}

/// <summary>
/// What a presence window hands over: the net joins and leaves in order, or, when there were
/// too many, a request to send every member one fresh snapshot instead.
/// </summary>
public sealed record PresenceBatch(IReadOnlyList<PresenceSignal> Changes, bool Snapshot);
