using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Protocol;
using Chat.Api.Storage;

namespace Chat.Api.Connections;

/// <summary>
/// The receive half of a connection, the start of the message path: reading frames within the
/// limits, and handling them (a message is appended, then acked).
/// </summary>
public sealed partial class ChatConnection
{
    private const int DrainBufferBytes = 4096;

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var limit = _services.Options.MaxMessageBytes;
        while (!CloseRequested)
        {
            // A zero-byte read waits for the next message without holding a buffer, so an idle
            // connection pins no receive memory; the buffer is rented only while a message arrives.
            var next = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (next.MessageType == WebSocketMessageType.Close)
            {
                OnClientClosed();
                return;
            }

            if (next.MessageType == WebSocketMessageType.Binary)
            {
                Reject("binary");
                RequestClose(CloseCodes.BinaryFrame, "binary frames are not supported; send JSON text");
                break;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
            try
            {
                var length = 0;
                var endOfMessage = next.EndOfMessage;
                while (!endOfMessage)
                {
                    // Read at most one byte past the limit: enough to know the message is too big
                    // without ever buffering more than the limit.
                    var result = await _socket.ReceiveAsync(buffer.AsMemory(length, limit + 1 - length), cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        OnClientClosed();
                        return;
                    }

                    length += result.Count;
                    endOfMessage = result.EndOfMessage;
                    if (length > limit)
                    {
                        break;
                    }
                }

                if (length > limit)
                {
                    Reject("message_too_big");
                    RequestClose(CloseCodes.MessageTooBig, $"messages are limited to {limit} bytes");
                    break;
                }

                // Claim the frame before looking at the close flag: a shutdown that starts now
                // either sees it in flight and waits for its ack, or wins and it is not handled.
                Interlocked.Increment(ref _handlingFrame);
                if (CloseRequested || Volatile.Read(ref _shutdownRequested) == 1)
                {
                    FrameDone();
                    break;
                }

                try
                {
                    await HandleFrameAsync(buffer.AsMemory(0, length));
                }
                finally
                {
                    FrameDone();
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            // Flow control: a sender's messages no longer pace it by the store's round trip, so one
            // that sends faster than it reads would fill its own queue with the room's echoes and be
            // closed with 1013. Read nothing more from it while its queue is over half full. Waited
            // for outside the frame's count and with its buffer given back: a graceful stop must not
            // wait for a client that reads nothing, and a paused socket holds no receive buffer.
            var half = _outgoing.CapacityBytes / 2;
            if (_outgoing.QueuedBytes > half)
            {
                await _outgoing.WaitForSpaceAsync((int)half, cancellationToken);
            }
        }

        await DrainUntilClosedAsync(cancellationToken);
    }

    /// <summary>
    /// After we asked to close: read and discard until the client's close frame arrives. The
    /// token is cancelled after the close timeout, which aborts a client that never answers.
    /// </summary>
    private async Task DrainUntilClosedAsync(CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(DrainBufferBytes);
        try
        {
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await _socket.ReceiveAsync(scratch.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void OnClientClosed() =>
        // Echo the client's code, as RFC 6455 asks.
        RequestClose(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, _socket.CloseStatusDescription ?? "");

    private async Task HandleFrameAsync(ReadOnlyMemory<byte> frame)
    {
        var receivedAt = _services.Time.GetUtcNow().UtcDateTime;
        var options = _services.Options;
        if (!ClientFrameParser.TryParse(frame.Span, options.MaxContentLength, out var parsed, out var error))
        {
            Reject(error);
            return;
        }

        if (parsed.Kind == ClientFrameKind.Ping)
        {
            _outgoing.TryEnqueue(new OutgoingFrame(ServerFrames.Pong));
            return;
        }

        if (parsed.Kind == ClientFrameKind.Auth)
        {
            await RenewAsync(parsed.AccessToken!);
            return;
        }

        if (parsed.Kind == ClientFrameKind.Typing)
        {
            // Throttled as protocol, whatever Limits:Enabled says; never counted as a message.
            await ForwardTypingAsync();
            return;
        }

        // Decided locally, the shared count pipelined with the append: no extra round trip.
        if (_services.Limits.Enabled && await _services.MessageRate.AcquireAsync(_user, options.StoreTimeout) is var retryAfterMs and > 0)
        {
            Reject(new FrameError(ErrorCodes.RateLimited,
                $"Too many messages; retry in {retryAfterMs} ms. Nothing was stored.", parsed.ClientId, retryAfterMs));
            _refusals ??= new Limits.RefusalCounter(_services.Limits.RefusalsBeforeClose, _services.Limits.RefusalWindow);
            if (_refusals.Add(receivedAt.Ticks))
            {
                // The close completes the outbox: first let the acks (or unavailable errors) of
                // appends still in flight in, each bounded by the store timeout, so a stored
                // message is never left unanswered. Never throws.
                await _acks;
                RequestClose(CloseCodes.PolicyViolation, "kept sending past the rate limit");
            }

            return;
        }

        _services.Metrics.MessageReceived();
        var trace = _services.Tracing.StartReceive(_room.RoomId);
        var started = Stopwatch.GetTimestamp();

        // The directory's index, pipelined ahead of the append on the same connection and never
        // awaited: no round trip is added, and on a single Redis the ack implies it.
        _services.Activity.Touch(_room, receivedAt);
        var stored = _services.Appends
            .AppendAsync(_room, PendingAppend.Create(_room, _user, parsed.Content!, parsed.ClientId, receivedAt, trace))
            .WaitAsync(options.StoreTimeout);

        // The next frame is read while this one is stored: a client that sends several messages
        // without waiting for acks fills its room's next append batch instead of paying a round
        // trip each. Its messages still reach the room's queue, and so the stream, in the order
        // they arrived; acks go back in that order too.
        Interlocked.Increment(ref _handlingFrame);
        _acks = AckInOrderAsync(_acks, stored, parsed.ClientId, started, trace);
        if (Volatile.Read(ref _handlingFrame) > _services.MessagesInFlight)
        {
            await _acks;
        }
    }

    /// <summary>
    /// Acks one stored message (or says it could not be confirmed) after every earlier message of this
    /// connection was answered. Never throws: the chain of acks must not break.
    /// </summary>
    private async Task AckInOrderAsync(Task previous, Task<string> stored, string? clientId, long started, Activity? trace)
    {
        try
        {
            await previous;
            string id;
            try
            {
                id = await stored;
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                Log.AppendFailed(_services.Logger, _room.RoomId, ex);
                trace?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                Reject(new FrameError(ErrorCodes.Unavailable,
                    "The message was not confirmed stored (it may still be, late). Retry with the same client_id; it will not be doubled.", clientId));
                return;
            }

            _services.Metrics.MessageStored(Stopwatch.GetElapsedTime(started));
            Enqueue(ServerFrames.Ack(clientId, id));
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_services.Logger, _connectionId, ex);
            RequestClose(CloseCodes.ServerError, "unexpected server error");
        }
        finally
        {
            trace?.Dispose();
            FrameDone();
        }
    }

    /// <summary>
    /// A frame was handled, or a message's ack was queued. The last of them to finish during a
    /// graceful stop closes the socket with 1012, so nothing acked-to-be is cut off.
    /// </summary>
    private void FrameDone()
    {
        if (Interlocked.Decrement(ref _handlingFrame) == 0 && Volatile.Read(ref _shutdownRequested) == 1)
        {
            RequestClose(CloseCodes.ServiceRestart, "server restarting; reconnect with since");
        }
    }

    /// <summary>
    /// <c>{"type":"auth"}</c>: a fresh token for the same subject extends the socket's life to the
    /// token's expiry. Anything else (invalid, another subject, a signed-out session) is answered
    /// with <c>invalid_token</c> and a 1008 close: the socket's identity is no longer proven.
    /// </summary>
    private async Task RenewAsync(string token)
    {
        (ChatUser User, DateTime IssuedAtUtc, DateTime ExpiresAtUtc)? renewed;
        try
        {
            renewed = await _services.Tokens.ValidateAsync(token, _receiveCancellation.Token).WaitAsync(_services.Options.StoreTimeout);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex) || ex is InvalidOperationException or HttpRequestException)
        {
            // Redis, or the provider's discovery document, did not answer.
            Reject(new FrameError(ErrorCodes.Unavailable, "The token could not be checked; send it again shortly.", null));
            return;
        }

        if (renewed is not { } valid || valid.User.Subject != _user.Subject)
        {
            Reject(new FrameError(ErrorCodes.InvalidToken, "The token is not valid for this socket's user; sign in again.", null));
            RequestClose(CloseCodes.PolicyViolation, "invalid token");
            return;
        }

        Interlocked.Exchange(ref _tokenExpiresAtTicks, valid.ExpiresAtUtc.Ticks);
        TokenIssuedAtUtc = valid.IssuedAtUtc;
        Enqueue(ServerFrames.AuthRenewed(valid.ExpiresAtUtc));
    }

    private void Reject(in FrameError error)
    {
        Reject(error.Code);
        Enqueue(ServerFrames.Error(error));
    }

    private void Reject(string reason)
    {
        _services.Metrics.FrameRejected(reason);
        Log.FrameRejected(_services.Logger, _connectionId, reason);
    }
}
