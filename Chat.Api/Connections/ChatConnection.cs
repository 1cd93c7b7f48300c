using System.Net.WebSockets;
using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Protocol;
using Chat.Api.Rooms;
using Chat.Api.Storage;

namespace Chat.Api.Connections;

/// <summary>
/// One member's WebSocket, from accept to close: the whole connection lifecycle lives here.
/// Two loops share the socket: the receive loop (this class's other half, ChatConnection.Receive)
/// reads and handles client frames; the send loop is the only writer, draining the bounded
/// outgoing queue. Either side asks for a close with <see cref="RequestClose"/>, first request wins.
/// </summary>
public sealed partial class ChatConnection : IDisposable
{
    private readonly WebSocket _socket;
    private readonly ChatUser _user;
    private readonly RoomKeys _room;
    private readonly string _connectionId;
    private readonly ChatConnectionServices _services;
    private readonly Outbox _outgoing;
    private readonly RoomMember _member;
    private readonly CancellationTokenSource _receiveCancellation = new();
    private CloseRequest? _close;

    public ChatConnection(WebSocket socket, ChatUser user, RoomKeys room, string connectionId, ChatConnectionServices services)
    {
        _socket = socket;
        _user = user;
        _room = room;
        _connectionId = connectionId;
        _services = services;
        _outgoing = new Outbox(
            services.Options.OutgoingQueueCapacity,
            () => RequestClose(CloseCodes.TryAgainLater, "too far behind; reconnect with since"));
        _member = new RoomMember(_outgoing, services.Options.OutgoingQueueCapacity);
    }

    private bool CloseRequested => Volatile.Read(ref _close) is not null;

    /// <summary>Runs the connection until it closes. Never throws for anything the client does.</summary>
    public async Task RunAsync(MessageId? since, CancellationToken requestAborted)
    {
        if (!_services.Tracker.TryAdd(this))
        {
            await _socket.CloseOutputAsync(CloseCodes.ServiceRestart, "server restarting; reconnect", requestAborted);
            return;
        }

        _services.Metrics.ConnectionOpened();
        Log.ConnectionOpened(_services.Logger, _connectionId, _user.Name, _room.RoomId);
        var abortRegistration = requestAborted.Register(() => _receiveCancellation.Cancel());
        var sending = SendLoopAsync(requestAborted);
        Room? room = null;
        try
        {
            try
            {
                room = await _services.Rooms.JoinAsync(_room.RoomId, _member);
                await SendHistoryAsync(since);
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
        catch (WebSocketException)
        {
            // The peer broke the connection, or sent invalid UTF-8 and the socket already closed
            // itself with 1007; following that with 1011 would be wrong.
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_services.Logger, _connectionId, ex);
            RequestClose(CloseCodes.ServerError, "unexpected server error");
        }
        finally
        {
            if (room is not null)
            {
                await _services.Rooms.LeaveAsync(room, _member);
            }

            RequestClose(WebSocketCloseStatus.NormalClosure, "");
            await sending;
            _services.Tracker.Remove(this);
            _services.Metrics.ConnectionClosed();
            Log.ConnectionClosed(_services.Logger, _connectionId, _socket.CloseStatus ?? _close?.Status);
            abortRegistration.Dispose();
        }
    }

    public void Dispose() => _receiveCancellation.Dispose();

    /// <summary>
    /// Asks for the connection to close with <paramref name="status"/>. Frames still queued are
    /// dropped, the close frame is sent, and the client gets <c>Chat:CloseTimeout</c> to answer.
    /// </summary>
    public void RequestClose(WebSocketCloseStatus status, string description)
    {
        if (Interlocked.CompareExchange(ref _close, new CloseRequest(status, description), null) is not null)
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
            _receiveCancellation.CancelAfter(_services.Options.CloseTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }
    }

    private async Task SendHistoryAsync(MessageId? since)
    {
        var log = _services.MessageLog;
        var options = _services.Options;
        var instance = _services.Instance.Id;

        if (since is { } resumeFrom && await log.IsRetainedAfterAsync(_room, resumeFrom))
        {
            var after = resumeFrom;
            var first = true;
            while (true)
            {
                var batch = await log.ReadAfterAsync(_room, after, before: null, options.ResumeBatchSize);
                if (batch.Count > 0 || first)
                {
                    Enqueue(ServerFrames.Messages(batch, 0, batch.Count, recovered: true, first ? instance : null));
                }

                first = false;
                if (batch.Count > 0)
                {
                    after = MessageId.Parse(batch[^1].Id);
                }

                if (batch.Count < options.ResumeBatchSize)
                {
                    break;
                }
            }

            _member.CompleteCatchUp(after);
            return;
        }

        // A fresh join, or a resume from further back than the room retains: the recent history,
        // with recovered=false in the second case so the client knows it has a gap.
        var latest = await log.ReadLatestAsync(_room, options.HistoryLength);
        Enqueue(ServerFrames.Messages(latest, 0, latest.Count, recovered: since is null ? null : false, instance));
        _member.CompleteCatchUp(latest.Count > 0 ? MessageId.Parse(latest[^1].Id) : MessageId.None);
    }

    private void Enqueue(byte[] frame) => _outgoing.TryEnqueue(new OutgoingFrame(frame));

    private async Task SendLoopAsync(CancellationToken aborted)
    {
        var reader = _outgoing.Reader;
        var metrics = _services.Metrics;
        try
        {
            while (await reader.WaitToReadAsync(aborted))
            {
                while (!CloseRequested && reader.TryRead(out var frame))
                {
                    await _socket.SendAsync(frame.Payload, WebSocketMessageType.Text, endOfMessage: true, aborted);
                    if (frame.ReceivedAtTicks != 0)
                    {
                        metrics.MessageDelivered(frame.ReceivedAtTicks, DateTime.UtcNow.Ticks);
                    }
                }

                if (CloseRequested)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            _receiveCancellation.Cancel();
            return;
        }

        if (_close is { } close && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(_services.Options.CloseTimeout);
            try
            {
                await _socket.CloseOutputAsync(close.Status, close.Description, timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                // The client is gone; nothing left to tell it.
            }
        }
    }

    private sealed record CloseRequest(WebSocketCloseStatus Status, string Description);
}
