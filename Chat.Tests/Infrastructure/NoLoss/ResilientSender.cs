using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// A sender on a connection of its own. It sends at a steady rate with a few messages in flight,
/// records the id each ack carries, and resends what is unacknowledged with the same
/// <c>client_id</c> after a reconnect or an <c>unavailable</c> error, so a message it gave up on
/// once must still be stored at most once.
/// </summary>
internal sealed class ResilientSender(
    string name,
    string room,
    Uri apiUri,
    Func<string, CancellationToken, Task<string>> getToken,
    NoLossOptions options,
    Random random,
    NoLossJournal journal)
{
    private static readonly TimeSpan UnavailableRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MinConnectedTime = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan MaxConnectedTime = TimeSpan.FromSeconds(4);

    private readonly Lock _gate = new();
    private readonly string _who = $"room {room}, sender {name}";
    private readonly ReconnectPolicy _reconnect = new(random, options, journal, $"room {room}, sender {name}");
    private readonly List<Pending> _pending = [];
    private readonly Dictionary<string, AckedMessage> _acked = [];
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _clientIdPrefix = $"{name}-{Guid.NewGuid():N}"[..32];
    private int _next;
    private volatile bool _stopping;

    public string Name => name;

    public string Room => room;

    /// <summary>What the server acked, by client_id. Read it after the run.</summary>
    public IReadOnlyDictionary<string, AckedMessage> Acked => _acked;

    /// <summary>How many messages are still unacknowledged.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var token = await getToken(name, stop);
        var uri = NoLossSocket.SocketUri(apiUri, room, since: null, epoch: null);
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            if (!first)
            {
                journal.SenderReconnected();
            }

            first = false;
            var socket = await _reconnect.ConnectAsync(uri, token, stop);
            if (socket is null)
            {
                return;
            }

            var connected = Stopwatch.GetTimestamp();
            bool droppedByUs;
            await using (socket)
            {
                droppedByUs = await RunConnectionAsync(socket, stop);
            }

            if (!droppedByUs)
            {
                await _reconnect.AfterServerEndedAsync(Stopwatch.GetElapsedTime(connected), stop);
            }

            lock (_gate)
            {
                // Whatever was in flight may or may not have been stored: resend it all, same client_id.
                foreach (var pending in _pending)
                {
                    pending.NeedsSend = true;
                    pending.RetryAt = 0;
                }
            }
        }
    }

    /// <summary>Stops creating messages; completes once every pending message was acked.</summary>
    public Task StopSendingAsync()
    {
        _stopping = true;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                _drained.TrySetResult();
            }
        }

        return _drained.Task;
    }

    /// <summary>Sends and receives on one socket until it ends; true when it was our own random drop.</summary>
    private async Task<bool> RunConnectionAsync(NoLossSocket socket, CancellationToken stop)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var dropping = options.SendersDisconnect
            ? DropLaterAsync(socket, MinConnectedTime + ((MaxConnectedTime - MinConnectedTime) * random.NextDouble()), connection.Token)
            : Task.FromResult(false);
        var sending = SendLoopAsync(socket, connection.Token);
        try
        {
            while (true)
            {
                using var frame = await socket.ReceiveAsync(stop);
                if (frame is null)
                {
                    if (ReconnectPolicy.UnexpectedClose(socket.CloseStatus, socket.CloseStatusDescription, closedByUs: false) is { } failure)
                    {
                        journal.Fail(_who, failure);
                    }

                    return false;
                }

                OnFrame(frame.RootElement);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Dropped by us, by the run's end, or by the server or the network: resend and go on.
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            journal.Fail(_who, $"a frame was malformed: {ex.Message}");
        }
        finally
        {
            await connection.CancelAsync();
            await sending;
            await dropping;
        }

        return await dropping;
    }

    private void OnFrame(JsonElement frame)
    {
        switch (frame.GetProperty("type").GetString())
        {
            case "ack":
                OnAck(frame.GetProperty("client_id").GetString()!, frame.GetProperty("id").GetString()!);
                break;
            case "error":
                var code = frame.GetProperty("code").GetString();
                var clientId = frame.TryGetProperty("client_id", out var c) ? c.GetString() : null;
                if (code != "unavailable" || clientId is null)
                {
                    journal.Fail(_who, $"an error frame other than a retryable 'unavailable': {frame.GetRawText()}");
                    break;
                }

                journal.SendUnavailable();
                lock (_gate)
                {
                    if (Find(clientId) is { } pending)
                    {
                        pending.NeedsSend = true;
                        pending.RetryAt = Stopwatch.GetTimestamp() + (long)(UnavailableRetryDelay.TotalSeconds * Stopwatch.Frequency);
                    }
                }

                break;
            default:
                // The room's messages and history: the members are the ones checked.
                break;
        }
    }

    private void OnAck(string clientId, string id)
    {
        lock (_gate)
        {
            if (Find(clientId) is { } pending)
            {
                _pending.Remove(pending);
                _acked[clientId] = new AckedMessage(id, pending.Content);
                journal.MessageAcked();
                if (_stopping && _pending.Count == 0)
                {
                    _drained.TrySetResult();
                }
            }
            else if (_acked.TryGetValue(clientId, out var earlier) && earlier.Id != id)
            {
                journal.Fail(_who, $"client_id {clientId} was acked as {earlier.Id} and again as {id}");
            }
        }
    }

    /// <summary>Each tick: resends what is due, then one new message if fewer than the limit are in flight.</summary>
    private async Task SendLoopAsync(NoLossSocket socket, CancellationToken connectionEnded)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / options.MessagesPerSecondPerSender));
        var due = new List<Pending>(options.MaxInFlightPerSender + 1);
        try
        {
            do
            {
                due.Clear();
                lock (_gate)
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var pending in _pending)
                    {
                        if (pending.NeedsSend && pending.RetryAt <= now)
                        {
                            pending.NeedsSend = false;
                            due.Add(pending);
                        }
                    }

                    if (!_stopping && _pending.Count < options.MaxInFlightPerSender)
                    {
                        var created = Create();
                        _pending.Add(created);
                        due.Add(created);
                    }
                }

                foreach (var pending in due)
                {
                    if (pending.Attempts++ > 0)
                    {
                        journal.MessageResent();
                    }
                    else
                    {
                        journal.MessageSent();
                    }

                    await socket.SendAsync(pending.Frame, connectionEnded);
                }
            }
            while (await timer.WaitForNextTickAsync(connectionEnded));
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket is gone; make sure the receive loop notices too, then RunAsync resends.
            socket.Abort();
        }
    }

    private Pending Create()
    {
        var n = _next++;
        var clientId = $"{_clientIdPrefix}-{n}";
        var content = $"{name} #{n}";
        // Both strings are plain ASCII made here (no quotes or backslashes), so no escaping is needed.
        var frame = Encoding.UTF8.GetBytes($$"""{"type":"message","content":"{{content}}","client_id":"{{clientId}}"}""");
        return new Pending(clientId, content, frame);
    }

    private Pending? Find(string clientId)
    {
        foreach (var pending in _pending)
        {
            if (pending.ClientId == clientId)
            {
                return pending;
            }
        }

        return null;
    }

    /// <summary>Aborts the socket after <paramref name="after"/> unless it ended first; true when it did abort.</summary>
    private async Task<bool> DropLaterAsync(NoLossSocket socket, TimeSpan after, CancellationToken connectionEnded)
    {
        try
        {
            await Task.Delay(after, connectionEnded);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        if (_stopping)
        {
            return false;
        }

        socket.Abort();
        return true;
    }

    /// <summary>A message sent and not yet acked; the frame is built once and resent as is.</summary>
    private sealed class Pending(string clientId, string content, byte[] frame)
    {
        public string ClientId { get; } = clientId;

        public string Content { get; } = content;

        public byte[] Frame { get; } = frame;

        public bool NeedsSend { get; set; }

        /// <summary>Stopwatch ticks before which an 'unavailable' message is not resent.</summary>
        public long RetryAt { get; set; }

        public int Attempts { get; set; }
    }
}

/// <summary>What an ack said: the stream id the server gave a client_id, and the content sent.</summary>
internal sealed record AckedMessage(string Id, string Content);
