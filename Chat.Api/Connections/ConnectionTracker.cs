using System.Collections.Concurrent;
using Chat.Api.Diagnostics;

namespace Chat.Api.Connections;

/// <summary>
/// The open connections of this replica, so a graceful shutdown can let appends in flight finish
/// and then tell every client to reconnect elsewhere (1012) instead of letting Kestrel cut them off.
/// </summary>
public sealed class ConnectionTracker : IDisposable
{
    private readonly ConcurrentDictionary<ChatConnection, byte> _connections = new();
    private readonly ILogger<ConnectionTracker> _logger;
    private readonly CancellationTokenRegistration _stopping;
    private volatile bool _stopped;
    private int _reserved;

    public ConnectionTracker(IHostApplicationLifetime lifetime, ILogger<ConnectionTracker> logger)
    {
        _logger = logger;
        _stopping = lifetime.ApplicationStopping.Register(CloseAllForShutdown);
    }

    /// <summary>Registers a connection; false when the replica is already shutting down.</summary>
    public bool TryAdd(ChatConnection connection)
    {
        _connections.TryAdd(connection, 0);
        if (_stopped)
        {
            _connections.TryRemove(connection, out _);
            return false;
        }

        return true;
    }

    public void Remove(ChatConnection connection) => _connections.TryRemove(connection, out _);

    /// <summary>This replica's open connections, a moment's snapshot.</summary>
    public IEnumerable<ChatConnection> Connections => _connections.Keys;

    /// <summary>
    /// Closes the connections <paramref name="match"/> picks. Scans them all: the notices that use
    /// it (sign-out, removal) are rare, and an index by user would cost every connection memory.
    /// </summary>
    public void CloseWhere(Func<ChatConnection, bool> match, System.Net.WebSockets.WebSocketCloseStatus status, string reason)
    {
        foreach (var connection in _connections.Keys)
        {
            if (match(connection))
            {
                connection.RequestClose(status, reason);
            }
        }
    }

    /// <summary>Takes one of <paramref name="max"/> socket places before the upgrade; false when all are taken.</summary>
    public bool TryReserve(int max)
    {
        if (Interlocked.Increment(ref _reserved) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _reserved);
        return false;
    }

    /// <summary>Gives back a place taken by <see cref="TryReserve"/>.</summary>
    public void Release() => Interlocked.Decrement(ref _reserved);

    public void Dispose() => _stopping.Dispose();

    private void CloseAllForShutdown()
    {
        _stopped = true;
        Log.ShutdownClosing(_logger, _connections.Count);
        foreach (var connection in _connections.Keys)
        {
            connection.BeginShutdown();
        }
    }
}
