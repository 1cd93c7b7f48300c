using System.Net.WebSockets;
using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Protocol;
using Chat.Api.Rooms;
using Chat.Api.Storage;

namespace Chat.Api.Connections;

/// <summary>
/// One member's WebSocket, from accept to close: the whole connection lifecycle lives here, at
/// both ends of the message path. Two loops share the socket: the receive loop (this class's
/// other half, ChatConnection.Receive) reads and handles client frames; the send loop is the only
/// writer, draining the outbox. Either side asks for a close with <see cref="RequestClose"/>,
/// first request wins.
/// </summary>
public sealed partial class ChatConnection : IDisposable
{
    private readonly WebSocket _socket;

    // What the socket writes to: null when it was not accepted through BatchWriteStream.UpgradeFeature.
    private readonly BatchWriteStream? _batchWrites;
    private readonly ChatUser _user;
    // The handshake's until the join, then the room's own: the names are the same, and a socket
    // need not keep a copy of every key name of its room.
    private RoomKeys _room;
    private readonly string _connectionId;
    private readonly ChatConnectionServices _services;
    private readonly Outbox _outgoing;
    private readonly RoomMember _member;

    // Both are cancelled Chat:CloseTimeout after a close is requested, or at once when the
    // client vanishes: the receive side stops waiting for the client's close frame, the send
    // side aborts a write the client does not take.
    private readonly CancellationTokenSource _receiveCancellation;
    private readonly CancellationTokenSource _sendCancellation;
    private CloseRequest? _close;

    // Graceful shutdown: frames being handled and messages whose appends are in flight (one count
    // each) finish and are acked first.
    private int _handlingFrame;
    private int _shutdownRequested;

    // The acks still to be queued, chained in arrival order (ChatConnection.Receive).
    private Task _acks = Task.CompletedTask;

    // When the token this socket was opened or last renewed with expires (UTC ticks); the
    // replica's upkeep closes the socket with 1008 then.
    private long _tokenExpiresAtTicks;

    // Created at the first rate-limit refusal only: most sockets are never refused.
    private Limits.RefusalCounter? _refusals;

    public ChatConnection(WebSocket socket, ChatUser user, RoomKeys room, string connectionId, (DateTime IssuedAtUtc, DateTime ExpiresAtUtc) token, ChatConnectionServices services, BatchWriteStream? batchWrites = null)
    {
        _socket = socket;
        _batchWrites = batchWrites;
        _user = user;
        _tokenExpiresAtTicks = token.ExpiresAtUtc.Ticks;
        TokenIssuedAtUtc = token.IssuedAtUtc;
        _room = room;
        _connectionId = connectionId;
        _services = services;
        _receiveCancellation = NewCancellation(services.Time);
        _sendCancellation = NewCancellation(services.Time);
        _outgoing = new Outbox(
            services.Options.OutgoingQueueBytes,
            () => RequestClose(CloseCodes.TryAgainLater, "too far behind; reconnect with since"));
        _member = new RoomMember(_outgoing, reason => RequestClose(CloseCodes.TryAgainLater, reason), user.Subject);
    }

    private bool CloseRequested => Volatile.Read(ref _close) is not null;

    /// <summary>Who this socket belongs to: the subject its token (or last renewal) proved.</summary>
    public ChatUser User => _user;

    public string RoomId => _room.RoomId;

    /// <summary>When the socket's token was issued: a provider's sign-out refuses tokens issued before it.</summary>
    public DateTime TokenIssuedAtUtc { get; private set; }

    /// <summary>The upgrade request's id, unique within this process.</summary>
    public string ConnectionId => _connectionId;

    /// <summary>Whether the socket's token has expired without a renewal by <paramref name="nowUtc"/>.</summary>
    public bool IsTokenExpired(DateTime nowUtc) => nowUtc.Ticks >= Interlocked.Read(ref _tokenExpiresAtTicks);

    /// <summary>
    /// Runs the connection until it closes; <paramref name="since"/> and <paramref name="epoch"/>
    /// ask for a resume. <paramref name="checkAccess"/>: the handshake could not ask Redis whether
    /// the user may enter the room, so the join asks before it sends anything.
    /// <paramref name="noticeStamp"/>: <see cref="ControlChannel.Notices"/> before the handshake's
    /// checks (null when unknown). Never throws for anything the client or Redis does.
    /// </summary>
    public async Task RunAsync(MessageId? since, string? epoch, CancellationToken requestAborted, bool checkAccess = false, long? noticeStamp = null)
    {
        if (!_services.Tracker.TryAdd(this))
        {
            await _socket.CloseOutputAsync(CloseCodes.ServiceRestart, "server restarting; reconnect", requestAborted);
            return;
        }

        // Compared only now that the socket is registered: a sign-out or removal handled from
        // here on finds it; one handled since the checks began found nothing, so ask again.
        checkAccess |= noticeStamp != _services.Control.Notices;

        _services.Metrics.ConnectionOpened();
        Log.ConnectionOpened(_services.Logger, _connectionId, _user.Name, _room.RoomId);
        var abortRegistration = requestAborted.Register(() =>
        {
            _receiveCancellation.Cancel();
            _sendCancellation.Cancel();
        });
        var sending = SendLoopAsync(_sendCancellation.Token);
        Room? room = null;
        var joined = false;
        var lingerForClient = false;
        try
        {
            try
            {
                room = await _services.Rooms.JoinAsync(_room.RoomId, _member);
                _room = room.Keys;
                // Live messages are held back until the history is sent, so refusing here leaks
                // nothing. Asked again only when the handshake could not ask, or a sign-out or
                // removal notice was handled between its checks and this socket's registration.
                if (checkAccess && !await _services.Control.IsStillAllowedAsync(this))
                {
                    RequestClose(CloseCodes.PolicyViolation, "signed out, or not a member of this private room");
                }
                else
                {
                    // A join is activity for the rooms directory; issued before the join script,
                    // so the index has it by the time the history arrives.
                    joined = true;
                    _services.Activity.Touch(_room, _services.Time.GetUtcNow().UtcDateTime);
                    await SendHistoryAsync(since, epoch, _receiveCancellation.Token);
                    if (!CloseRequested)
                    {
                        await JoinPresenceAsync();
                    }
                }
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                Log.JoinFailed(_services.Logger, _room.RoomId, ex);
                RequestClose(CloseCodes.TryAgainLater, "chat storage unavailable; retry shortly");
            }

            await ReceiveLoopAsync(_receiveCancellation.Token);
        }
        catch (OperationCanceledException)
        {
            // The client vanished, or did not answer our close frame in time.
        }
        catch (WebSocketException) when (_socket.State == WebSocketState.CloseSent)
        {
            // The WebSocket layer refused a frame (invalid UTF-8) and has already sent its close,
            // 1007; following that with 1011 would be wrong. Wait for the client's reply, as after
            // our own closes: ending the request at once can tear the connection down under the
            // close frame before the client has read it.
            await AwaitClientCloseAsync();
        }
        catch (WebSocketException) when (_socket.State == WebSocketState.Aborted && !requestAborted.IsCancellationRequested)
        {
            // On .NET 10 the WebSocket layer aborts itself right after writing its own close (1007
            // on invalid UTF-8, 1002 on a protocol error), so the branch above never sees
            // CloseSent. Ending the request now makes Kestrel reset the connection (linger 0), and
            // a client still reading what came before loses the close frame with the rest. Keep
            // the connection until the client goes (it answers the close and hangs up), at most
            // the close timeout; a peer that broke the connection is already gone.
            lingerForClient = true;
        }
        catch (WebSocketException)
        {
            // The peer broke the connection.
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_services.Logger, _connectionId, ex);
            RequestClose(CloseCodes.ServerError, "unexpected server error");
        }
        finally
        {
            // Messages still being stored are answered first (each bounded by Chat:StoreTimeout);
            // nothing may touch this connection after it is disposed.
            await _acks;

            // Every step runs whatever the one before it threw: a connection that is not removed
            // from its room, the tracker and the gauge would leak all three.
            if (joined)
            {
                // A leave is activity too: an idle room expires from the directory counting from
                // its last member's departure, not from their arrival.
                _services.Activity.Touch(_room, _services.Time.GetUtcNow().UtcDateTime);
            }

            await LeavePresenceAsync();
            if (room is not null)
            {
                try
                {
                    await _services.Rooms.LeaveAsync(room, _member);
                }
                catch (Exception ex)
                {
                    Log.LeaveFailed(_services.Logger, _connectionId, ex);
                }
            }

            RequestClose(WebSocketCloseStatus.NormalClosure, "");
            await sending;
            _services.Tracker.Remove(this);
            _services.Metrics.ConnectionClosed();
            Log.ConnectionClosed(_services.Logger, _connectionId, _socket.CloseStatus ?? _close?.Status);
            abortRegistration.Dispose();
            if (lingerForClient)
            {
                await LingerUntilClientGoesAsync(requestAborted);
            }
        }
    }

    private async Task AwaitClientCloseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_services.Options.CloseTimeout);
            await DrainUntilClosedAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Gone, or silent for the close timeout: nothing more to wait for.
        }
    }

    private async Task LingerUntilClientGoesAsync(CancellationToken requestAborted)
    {
        try
        {
            await Task.Delay(_services.Options.CloseTimeout, _services.Time, requestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client hung up.
        }
    }

    public void Dispose()
    {
        _receiveCancellation.Dispose();
        _sendCancellation.Dispose();
    }

    /// <summary>
    /// Asks the connection to close with <paramref name="status"/>. A normal close, a restart or a
    /// policy close (1000, 1012, 1008) first sends what is queued (acks, and the error frame that
    /// says why); any other close drops it. Either
    /// way the close must be written within <c>Chat:CloseTimeout</c>, or the socket is aborted,
    /// and the client then gets the same time to answer.
    /// </summary>
    public void RequestClose(WebSocketCloseStatus status, string description)
    {
        var flush = status is WebSocketCloseStatus.NormalClosure or CloseCodes.ServiceRestart or CloseCodes.PolicyViolation;
        if (Interlocked.CompareExchange(ref _close, new CloseRequest(status, description, flush), null) is not null)
        {
            return;
        }

        if (status != WebSocketCloseStatus.NormalClosure)
        {
            var level = status switch
            {
                CloseCodes.ServerError => LogLevel.Error,
                CloseCodes.ServiceRestart => LogLevel.Debug,
                _ => LogLevel.Information,
            };
            Log.ConnectionClosing(_services.Logger, level, _connectionId, status, description);
        }

        _outgoing.Complete();
        try
        {
            _sendCancellation.CancelAfter(_services.Options.CloseTimeout);
            _receiveCancellation.CancelAfter(_services.Options.CloseTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }
    }

    /// <summary>
    /// The replica is stopping: close with 1012 now, or, when a frame's append is in flight, as
    /// soon as its ack is queued (see the receive loop), so nothing acked-to-be is cut off.
    /// </summary>
    public void BeginShutdown()
    {
        Interlocked.Exchange(ref _shutdownRequested, 1);
        if (Interlocked.CompareExchange(ref _handlingFrame, 0, 0) == 0)
        {
            RequestClose(CloseCodes.ServiceRestart, "server restarting; reconnect with since");
        }
    }

    /// <summary>
    /// A source cancelled only by <see cref="RequestClose"/> or a vanished client. On the system
    /// clock a plain one: a source made with a time provider holds a timer from the start, even
    /// for an infinite delay (two per idle socket); <c>CancelAfter</c> makes one when a close needs it.
    /// </summary>
    private static CancellationTokenSource NewCancellation(TimeProvider time) =>
        time == TimeProvider.System ? new CancellationTokenSource() : new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);

    private void Enqueue(byte[] frame) => _outgoing.TryEnqueue(new OutgoingFrame(frame));

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _outgoing;
        var metrics = _services.Metrics;
        var time = _services.Time;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var frame))
                {
                    if (Volatile.Read(ref _close) is { Flush: false })
                    {
                        break;
                    }

                    if (frame.Batch is { } batch)
                    {
                        var messages = batch.Messages;
                        // One write to the connection for the whole batch: frames plus their headers.
                        _batchWrites?.BeginBatch(frame.Length + 14 * (messages.Length - frame.First));
                        for (var i = frame.First; i < messages.Length; i++)
                        {
                            if (i == messages.Length - 1)
                            {
                                _batchWrites?.EndBatchOnNextWrite();
                            }

                            await _socket.SendAsync(messages[i].Frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                            metrics.MessageDelivered(messages[i].ReceivedAtTicks, time.GetUtcNow().UtcTicks);
                        }

                        _outgoing.OnSent(frame.Length);
                        continue;
                    }

                    await _socket.SendAsync(frame.Payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                    _outgoing.OnSent(frame.Payload.Length);
                    if (frame.ReceivedAtTicks != 0)
                    {
                        metrics.MessageDelivered(frame.ReceivedAtTicks, time.GetUtcNow().UtcTicks);
                    }
                }

                if (Volatile.Read(ref _close) is { Flush: false })
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            // The client vanished, or did not take a write within the close timeout: cancelling
            // the write aborted the socket.
            _receiveCancellation.Cancel();
            return;
        }

        if (_close is { } close && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await _socket.CloseOutputAsync(close.Status, close.Description, cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
            {
                // The client is gone, or does not read; the socket is aborted.
                _receiveCancellation.Cancel();
            }
        }
    }

    private sealed record CloseRequest(WebSocketCloseStatus Status, string Description, bool Flush);
}
