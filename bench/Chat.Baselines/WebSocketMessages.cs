using System.Buffers;
using System.Net.WebSockets;

namespace Chat.Baselines;

/// <summary>What <see cref="WebSocketMessages.ReceiveAsync"/> got.</summary>
internal enum ReceivedKind
{
    /// <summary>A whole text message, in the buffer.</summary>
    Text,

    /// <summary>A whole binary message, in the buffer.</summary>
    Binary,

    /// <summary>The client's close frame.</summary>
    Close,

    /// <summary>A message over the limit; its rest is still unread.</summary>
    TooBig,
}

/// <summary>One received WebSocket message. Its buffer is rented: call <see cref="Release"/>.</summary>
internal readonly struct ReceivedMessage(ReceivedKind kind, byte[]? buffer, int length)
{
    public ReceivedKind Kind { get; } = kind;

    public ReadOnlySpan<byte> Payload => buffer.AsSpan(0, length);

    public void Release()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>Reads whole WebSocket messages within a size limit, the way Chat.Api does.</summary>
internal static class WebSocketMessages
{
    public static async ValueTask<ReceivedMessage> ReceiveAsync(WebSocket socket, int limit, CancellationToken cancellationToken)
    {
        // A zero-byte read waits for the next message without holding a buffer, so an idle
        // connection pins no receive memory; the buffer is rented only while a message arrives.
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return new ReceivedMessage(ReceivedKind.Close, null, 0);
        }

        var kind = first.MessageType == WebSocketMessageType.Text ? ReceivedKind.Text : ReceivedKind.Binary;
        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var length = 0;
            var endOfMessage = first.EndOfMessage;
            while (!endOfMessage)
            {
                // At most one byte past the limit: enough to know the message is too big without
                // ever buffering more than the limit.
                var result = await socket.ReceiveAsync(buffer.AsMemory(length, limit + 1 - length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new ReceivedMessage(ReceivedKind.Close, null, 0);
                }

                length += result.Count;
                endOfMessage = result.EndOfMessage;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new ReceivedMessage(ReceivedKind.TooBig, null, 0);
                }
            }

            return new ReceivedMessage(kind, buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
