using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// The rules a resilient client follows when a socket ends: which endings mean "reconnect" and
/// which are failures, and how to connect again with bounded, jittered exponential backoff. One
/// per client, since the backoff grows with that client's consecutive failures.
/// </summary>
internal sealed class ReconnectPolicy(Random random, NoLossOptions options, NoLossJournal journal, string who)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    /// <summary>A socket the server ended sooner than this counts as a failed attempt for the backoff.</summary>
    private static readonly TimeSpan HealthyConnection = TimeSpan.FromSeconds(2);

    private TimeSpan _backoff = FirstBackoff;

    /// <summary>
    /// Null when a socket ending this way just means "reconnect and resume": 1012 (replica
    /// stopping), 1013 (too far behind, or storage unavailable), or the normal close answering
    /// our own. Anything else (1011, 1008, a close nobody asked for) is described as a failure.
    /// </summary>
    public static string? UnexpectedClose(WebSocketCloseStatus? status, string? description, bool closedByUs) => status switch
    {
        (WebSocketCloseStatus)1012 or (WebSocketCloseStatus)1013 => null,
        WebSocketCloseStatus.NormalClosure when closedByUs => null,
        _ => $"the server closed the socket with {(int?)status} '{description}'",
    };

    /// <summary>
    /// Called when a socket ended without us asking: a server that closes (1013 while Redis is
    /// down) or drops sockets right after the join is not hammered with immediate reconnects.
    /// </summary>
    public async Task AfterServerEndedAsync(TimeSpan connectedFor, CancellationToken stop)
    {
        if (connectedFor >= HealthyConnection)
        {
            _backoff = FirstBackoff;
            return;
        }

        await BackOffAsync(stop);
    }

    /// <summary>
    /// Opens a socket, retrying network failures and 5xx answers (a replica stopping or killed)
    /// with backoff until <see cref="NoLossOptions.ReconnectBudget"/> runs out. A 4xx answer is
    /// not retried. Null when stopped or given up; a give-up is recorded as a failure.
    /// </summary>
    public async Task<NoLossSocket?> ConnectAsync(Uri uri, string token, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            var socket = new NoLossSocket(token);
            try
            {
                await socket.ConnectAsync(uri, stop);
                return socket;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException or IOException)
            {
                var status = socket.HttpStatusCode;
                await socket.DisposeAsync();
                if (stop.IsCancellationRequested)
                {
                    return null;
                }

                if (status is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError)
                {
                    journal.Fail(who, $"the upgrade to {uri} was refused with HTTP {(int)status}");
                    return null;
                }

                if (Stopwatch.GetElapsedTime(started) > options.ReconnectBudget)
                {
                    journal.Fail(who, $"could not connect to {uri} within {options.ReconnectBudget.TotalSeconds:0.#} s; last error: {ex.Message}");
                    return null;
                }
            }

            await BackOffAsync(stop);
        }

        return null;
    }

    private async Task BackOffAsync(CancellationToken stop)
    {
        var delay = _backoff * (0.5 + (random.NextDouble() / 2));
        _backoff = _backoff * 2 < MaxBackoff ? _backoff * 2 : MaxBackoff;
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
            // The run ended; the caller sees the token.
        }
    }
}
