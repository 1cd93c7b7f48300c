using System.Buffers.Text;

namespace Chat.Api.Protocol;

/// <summary>
/// A message as the append script publishes it on the room's channel:
/// <c>&lt;received-at ticks&gt; &lt;epoch&gt; &lt;previous id&gt; &lt;frame&gt;</c>, where the frame is
/// the exact <c>{"type":"message","message":{"id":"…",…}}</c> text members receive.
/// The ticks (UTC, 100 ns) carry the receive time for the delivery-latency metric; the epoch and
/// the id of the entry before this one in the stream let a room's pump notice a stream it did not
/// know and a message it never received. Nothing here is parsed but these few tokens.
/// </summary>
public readonly record struct PublishedMessage(
    MessageId Id, MessageId Previous, ReadOnlyMemory<byte> Epoch, long ReceivedAtTicks, ReadOnlyMemory<byte> Frame)
{
    /// <summary>What precedes the id in every live frame (the append script writes the same text).</summary>
    public static ReadOnlySpan<byte> FramePrefix => "{\"type\":\"message\",\"message\":{\"id\":\""u8;

    /// <summary>The part the sender passes to the script: its receive time and a space.</summary>
    public static byte[] CreatePrefix(DateTime receivedAtUtc)
    {
        // Formatted straight into bytes: this runs once per message, no intermediate string.
        Span<byte> ticks = stackalloc byte[20];
        Utf8Formatter.TryFormat(receivedAtUtc.Ticks, ticks, out var length);
        var prefix = new byte[length + 1];
        ticks[..length].CopyTo(prefix);
        prefix[length] = (byte)' ';
        return prefix;
    }

    public static bool TryParse(ReadOnlyMemory<byte> payload, out PublishedMessage message)
    {
        message = default;
        var span = payload.Span;

        var end = span.IndexOf((byte)' ');
        if (end <= 0 || !Utf8Parser.TryParse(span[..end], out long ticks, out var ticksLength) || ticksLength != end)
        {
            return false;
        }

        var epochStart = end + 1;
        end = span[epochStart..].IndexOf((byte)' ');
        if (end <= 0 || end > Protocol.Epoch.MaxLength)
        {
            return false;
        }

        var epoch = payload.Slice(epochStart, end);
        var previousStart = epochStart + end + 1;
        end = span[previousStart..].IndexOf((byte)' ');
        if (end <= 0 || !MessageId.TryParse(span.Slice(previousStart, end), out var previous))
        {
            return false;
        }

        var frame = payload[(previousStart + end + 1)..];
        var frameSpan = frame.Span;
        if (!frameSpan.StartsWith(FramePrefix))
        {
            return false;
        }

        var afterPrefix = frameSpan[FramePrefix.Length..];
        var idLength = afterPrefix.IndexOf((byte)'"');
        if (idLength <= 0 || !MessageId.TryParse(afterPrefix[..idLength], out var id))
        {
            return false;
        }

        message = new PublishedMessage(id, previous, epoch, ticks, frame);
        return true;
    }
}
