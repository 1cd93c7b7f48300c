namespace Chat.Api.Rooms;

/// <summary>
/// Serializes subscribe and unsubscribe per channel. In StackExchange.Redis an unsubscribe
/// removes the handler and then the subscription in two steps; a subscribe to the same channel in
/// between attaches to the dying subscription and never receives anything. A room's last leave
/// and the next join (a fast reconnect) are exactly that race, so both go through this gate,
/// keyed by room. Different rooms never wait for each other. Entries live only while in use.
/// </summary>
public sealed class SubscriptionGate
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Entries held or awaited right now (for tests: the gate keeps nothing it does not use).</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Waits until no other operation on <paramref name="key"/> runs; dispose the result to let the next one in.</summary>
    public async Task<Releaser> EnterAsync(string key)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                _entries.Add(key, entry);
            }

            entry.Users++;
        }

        try
        {
            await entry.Semaphore.WaitAsync();
        }
        catch
        {
            Leave(key, entry);
            throw;
        }

        return new Releaser(this, key, entry);
    }

    private void Leave(string key, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(key);
            }
        }
    }

    public readonly struct Releaser : IDisposable
    {
        private readonly SubscriptionGate _gate;
        private readonly string _key;
        private readonly Entry _entry;

        internal Releaser(SubscriptionGate gate, string key, Entry entry)
        {
            _gate = gate;
            _key = key;
            _entry = entry;
        }

        public void Dispose()
        {
            _entry.Semaphore.Release();
            _gate.Leave(_key, _entry);
        }
    }

    internal sealed class Entry
    {
        // No wait handle is ever created, so nothing needs disposing.
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
