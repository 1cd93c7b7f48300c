using System.Buffers;
using System.Net.WebSockets;

namespace Chat.LoadTest.Targets;

/// <summary>A member's open socket to a system under test.</summary>
public abstract class ChatSocket(WebSocket socket) : IAsyncDisposable
{
    private const int InitialBuffer = 16 * 1024;

    protected WebSocket Socket { get; } = socket;

    /// <summary>Sends one chat message; returns when it is written.</summary>
    public abstract ValueTask SendAsync(string content, string clientId, CancellationToken cancellationToken);

    /// <summary>Runs until the socket closes or <paramref name="cancellationToken"/> fires.</summary>
    public async Task ReceiveAsync(IDeliverySink sink, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    result = await Socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        sink.OnClosed(Socket.CloseStatus);
                        return;
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                sink.OnFrame();
                (sink as IFrameSink)?.OnFrameBytes(buffer.AsSpan(0, length));
                OnFrame(buffer.AsSpan(0, length), sink);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The run is over, or the server closed on us; the counts tell the story.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Handles one received WebSocket message.</summary>
    protected abstract void OnFrame(ReadOnlySpan<byte> frame, IDeliverySink sink);

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                // Gone already.
            }
        }

        Socket.Dispose();
    }
}
