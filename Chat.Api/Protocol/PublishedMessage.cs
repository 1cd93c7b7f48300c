using System.Buffers.Text;

namespace Chat.Api.Protocol;

/// <summary>
/// A message as the append script publishes it on the room's channel, one line of a publication:
/// <c>&lt;received-at ticks&gt;[;&lt;traceparent&gt;] &lt;epoch&gt; &lt;previous id&gt; &lt;frame&gt;</c>, where the frame is
/// the exact <c>{"type":"message","message":{"id":"…",…}}</c> text members receive. The W3C
/// traceparent is there only for a message sampled for tracing (<c>Diagnostics.MessageTracing</c>).
/// The ticks (UTC, 100 ns) carry the receive time for the delivery-latency metric; the epoch and
/// the id of the entry before this one in the stream let a room's pump notice a stream it did not
/// know and a message it never received. Nothing here is parsed but these few tokens.
/// </summary>
public readonly record struct PublishedMessage(
    MessageId Id, MessageId Previous, ReadOnlyMemory<byte> Epoch, long ReceivedAtTicks, ReadOnlyMemory<byte> Frame, ReadOnlyMemory<byte> TraceParent = default)
{
    /// <summary>What precedes the id in every live frame (the append script writes the same text).</summary>
    public static ReadOnlySpan<byte> FramePrefix => "{\"type\":\"message\",\"message\":{\"id\":\""u8;

    /// <summary>The part the sender passes to the script: its receive time, the traceparent of a sampled message, and a space.</summary>
    public static byte[] CreatePrefix(DateTime receivedAtUtc, string? traceParent = null)
    {
        // Formatted straight into bytes: this runs once per message, no intermediate string.
        Span<byte> ticks = stackalloc byte[20];
        Utf8Formatter.TryFormat(receivedAtUtc.Ticks, ticks, out var length);
        var traceLength = traceParent is null ? 0 : traceParent.Length + 1;
        var prefix = new byte[length + traceLength + 1];
        ticks[..length].CopyTo(prefix);
        if (traceParent is not null)
        {
            prefix[length] = (byte)';';
            System.Text.Encoding.ASCII.GetBytes(traceParent, prefix.AsSpan(length + 1));
        }

        prefix[^1] = (byte)' ';
        return prefix;
    }

    public static bool TryParse(ReadOnlyMemory<byte> payload, out PublishedMessage message)
    {
        message = default;
        var span = payload.Span;

        var end = span.IndexOf((byte)' ');
        if (end <= 0)
        {
            return false;
        }

        var ticksEnd = span[..end].IndexOf((byte)';');
        var traceParent = ticksEnd < 0 ? default : payload[(ticksEnd + 1)..end];
        ticksEnd = ticksEnd < 0 ? end : ticksEnd;
        if (!Utf8Parser.TryParse(span[..ticksEnd], out long ticks, out var ticksLength) || ticksLength != ticksEnd)
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

        message = new PublishedMessage(id, previous, epoch, ticks, frame, traceParent);
        return true;
    }
}
