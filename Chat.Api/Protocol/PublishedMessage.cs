using System.Buffers.Text;

namespace Chat.Api.Protocol;

/// <summary>
/// A message as the append script publishes it: <c>&lt;received-at ticks&gt; &lt;frame&gt;</c>, where
/// the frame is the exact <c>{"type":"message","message":{"id":"…",…}}</c> text members receive.
/// The leading ticks (UTC, 100 ns) carry the receive time for the delivery-latency metric without
/// parsing the frame; the id sits at a fixed offset after the space.
/// </summary>
public readonly record struct PublishedMessage(MessageId Id, long ReceivedAtTicks, ReadOnlyMemory<byte> Frame)
{
    /// <summary>What precedes the id in every live frame.</summary>
    public static ReadOnlySpan<byte> FramePrefix => "{\"type\":\"message\",\"message\":{\"id\":\""u8;

    /// <summary>The part the sender passes to the script to go before the id.</summary>
    public static byte[] CreatePrefix(DateTime receivedAtUtc)
    {
        // Formatted straight into bytes: this runs once per message, no intermediate string.
        Span<byte> ticks = stackalloc byte[20];
        Utf8Formatter.TryFormat(receivedAtUtc.Ticks, ticks, out var length);
        var prefix = new byte[length + 1 + FramePrefix.Length];
        ticks[..length].CopyTo(prefix);
        prefix[length] = (byte)' ';
        FramePrefix.CopyTo(prefix.AsSpan(length + 1));
        return prefix;
    }

    public static bool TryParse(ReadOnlyMemory<byte> payload, out PublishedMessage message)
    {
        message = default;
        var span = payload.Span;
        var space = span.IndexOf((byte)' ');
        if (space <= 0
            || !Utf8Parser.TryParse(span[..space], out long ticks, out var ticksLength) || ticksLength != space)
        {
            return false;
        }

        var frame = payload[(space + 1)..];
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

        message = new PublishedMessage(id, ticks, frame);
        return true;
    }
}
