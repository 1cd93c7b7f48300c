using System.Net.WebSockets;
using System.Threading.Channels;

namespace Chat.Baselines;

/// <summary>
/// One in-process member's socket: a bounded outgoing queue drained by one send loop, the only
/// writer to the socket. Producers never wait; a member 1024 frames behind is closed with 1013,
/// as Chat.Api does, so one slow reader can neither stall a room nor pin unbounded memory.
/// </summary>
internal sealed class InProcessConnection : IDisposable
{
    private const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private readonly WebSocket _socket;
    private readonly Channel<byte[]> _outgoing;
    private readonly CancellationTokenSource _cancellation;

    // 0 until a close is asked for, then the close status to send; the first request wins.
    private int _closeStatus;

    public InProcessConnection(WebSocket socket, string username, CancellationToken aborted)
    {
        _socket = socket;
        Username = username;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        _outgoing = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(BaselineOptions.OutgoingQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
    }

    public string Username { get; }

    /// <summary>Cancelled when the client is gone, the server stops, or a close went unanswered.</summary>
    public CancellationToken Cancellation => _cancellation.Token;

    public bool CloseRequested => Volatile.Read(ref _closeStatus) != 0;

    /// <summary>Queues a frame without waiting; a full queue closes the connection with 1013.</summary>
    public void Enqueue(byte[] frame)
    {
        if (!_outgoing.Writer.TryWrite(frame))
        {
            // TryWrite also fails once the queue is completed; RequestClose ignores a second request.
            RequestClose(TryAgainLater);
        }
    }

    /// <summary>
    /// Stops sending: queued frames are dropped, the close frame is sent, and the client gets the
    /// close timeout to answer before the connection is aborted.
    /// </summary>
    public void RequestClose(WebSocketCloseStatus status)
    {
        if (Interlocked.CompareExchange(ref _closeStatus, (int)status, 0) != 0)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        try
        {
            _cancellation.CancelAfter(BaselineOptions.CloseTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }
    }

    public async Task RunSendLoopAsync()
    {
        var reader = _outgoing.Reader;
        var cancellationToken = _cancellation.Token;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (!CloseRequested && reader.TryRead(out var frame))
                {
                    await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                }

                if (CloseRequested)
                {
                    break;
                }
            }

            if (_closeStatus != 0 && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)_closeStatus, null, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client is gone: stop the receive loop too.
            _cancellation.Cancel();
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
