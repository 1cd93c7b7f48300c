using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace Chat.Api.Protocol;

/// <summary>
/// A Redis stream entry id, <c>&lt;milliseconds&gt;-&lt;sequence&gt;</c>: the message id clients see.
/// Ids are strictly increasing per room, so comparing them orders messages and drops duplicates.
/// </summary>
public readonly record struct MessageId(long Milliseconds, long Sequence) : IComparable<MessageId>
{
    /// <summary>Sorts before every real id; a member that has seen nothing has this.</summary>
    public static readonly MessageId None = new(0, 0);

    /// <summary>The longest id text: two 19-digit numbers (a long's most) and a dash.</summary>
    public const int MaxLength = 39;

    public int CompareTo(MessageId other)
    {
        var byTime = Milliseconds.CompareTo(other.Milliseconds);
        return byTime != 0 ? byTime : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(MessageId left, MessageId right) => left.CompareTo(right) < 0;

    public static bool operator >(MessageId left, MessageId right) => left.CompareTo(right) > 0;

    public static bool operator <=(MessageId left, MessageId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(MessageId left, MessageId right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Milliseconds}-{Sequence}";

    /// <summary>Parses an id Redis produced; anything else is a bug, hence the exception.</summary>
    public static MessageId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a stream entry id.");

    /// <summary>Parses <c>ms-seq</c> with both parts non-negative decimal numbers; nothing else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MessageId id)
    {
        id = default;
        if (text is null || text.Length > MaxLength)
        {
            return false;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == text.Length - 1
            || !IsDigits(text.AsSpan(0, dash)) || !IsDigits(text.AsSpan(dash + 1))
            || !long.TryParse(text.AsSpan(0, dash), out var ms)
            || !long.TryParse(text.AsSpan(dash + 1), out var seq))
        {
            return false;
        }

        id = new MessageId(ms, seq);
        return true;
    }

    /// <summary>Parses an id written in UTF-8, as it appears inside a published frame.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out MessageId id)
    {
        id = default;
        var dash = utf8.IndexOf((byte)'-');
        if (dash <= 0 || dash == utf8.Length - 1
            || utf8[..dash].ContainsAnyExceptInRange((byte)'0', (byte)'9')
            || utf8[(dash + 1)..].ContainsAnyExceptInRange((byte)'0', (byte)'9')
            || !Utf8Parser.TryParse(utf8[..dash], out long ms, out var msLength) || msLength != dash
            || !Utf8Parser.TryParse(utf8[(dash + 1)..], out long seq, out var seqLength) || seqLength != utf8.Length - dash - 1)
        {
            return false;
        }

        id = new MessageId(ms, seq);
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
