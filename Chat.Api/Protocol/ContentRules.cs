using System.Text;

namespace Chat.Api.Protocol;

/// <summary>
/// What a message's content and client id may hold. Content: 1 to the configured number of Unicode
/// scalar values, not only white space and invisible characters, no control characters except
/// newline and tab, no bidirectional embeddings, overrides or isolates, no lone surrogates.
/// Client id: 1–64 scalar values, no control characters. Nothing is normalised: content is
/// accepted or refused as sent, so what is stored is what was sent and what members receive.
/// </summary>
public static class ContentRules
{
    public const int MaxClientIdLength = 64;

    /// <summary>Returns null when <paramref name="content"/> is acceptable, else why not.</summary>
    public static string? ValidateContent(string content, int maxLength)
    {
        var length = 0;
        var onlyBlank = true;
        for (var i = 0; i < content.Length; i++)
        {
            if (Rune.DecodeFromUtf16(content.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return "content contains an unpaired surrogate.";
            }

            i += consumed - 1;
            if (++length > maxLength)
            {
                return $"content must be at most {maxLength} characters.";
            }

            if (Rune.IsControl(rune) && rune.Value is not ('\n' or '\t'))
            {
                return "content must not contain control characters other than newline and tab.";
            }

            if (IsBidiControl(rune.Value))
            {
                return "content must not contain bidirectional embedding, override or isolate characters (U+202A-U+202E, U+2066-U+2069).";
            }

            if (onlyBlank && !Rune.IsWhiteSpace(rune) && !IsInvisible(rune))
            {
                onlyBlank = false;
            }
        }

        if (length == 0)
        {
            return "content must not be empty.";
        }

        return onlyBlank ? "content must not be only white space or invisible characters." : null;
    }

    /// <summary>
    /// Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI). They open a
    /// direction that lasts until its terminator or the paragraph's end, so they can display text
    /// in another order than it is stored (Trojan Source, "exe.txt" shown for "txt.exe") and
    /// bleed into whatever a client renders next to the content. The marks LRM, RLM and ALM
    /// (U+200E, U+200F, U+061C) stay allowed: they are invisible strong characters that only
    /// settle the direction of neighbouring punctuation, open nothing, and are what writers of
    /// right-to-left languages need in mixed text.
    /// </summary>
    private static bool IsBidiControl(int value) => value is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);

    /// <summary>
    /// Characters that show nothing on their own, so content made only of them (and white space)
    /// is a blank message: soft hyphen, combining grapheme joiner, ALM, Hangul fillers, Mongolian
    /// vowel separator, zero-width space, ZWNJ, ZWJ, LRM, RLM, word joiner, invisible operators,
    /// braille blank, variation selectors, BOM (zero-width no-break space), tags; and, covering
    /// Unicode's Default_Ignorable_Code_Point without a hand-kept list going stale, every format
    /// character (category Cf: deprecated format controls, interlinear annotation, musical
    /// beams, …) plus the ignorable non-format ones (Khmer inherent vowels, Mongolian free
    /// variation selectors, and the reserved ignorable ranges). Inside other text they are
    /// allowed: ZWJ and variation selectors build emoji, ZWNJ is needed in Persian.
    /// </summary>
    private static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.Format
        || rune.Value is 0x00AD or 0x034F or 0x061C or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180F)
            or (>= 0x200B and <= 0x200F) or (>= 0x2060 and <= 0x206F) or 0x2800 or 0x3164
            or (>= 0xFE00 and <= 0xFE0F) or 0xFEFF or 0xFFA0 or (>= 0xFFF0 and <= 0xFFF8) or (>= 0xE0000 and <= 0xE0FFF);

    /// <summary>Returns null when <paramref name="clientId"/> is acceptable, else why not.</summary>
    public static string? ValidateClientId(string clientId)
    {
        var length = 0;
        for (var i = 0; i < clientId.Length; i++)
        {
            if (Rune.DecodeFromUtf16(clientId.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return "client_id contains an unpaired surrogate.";
            }

            i += consumed - 1;
            if (Rune.IsControl(rune))
            {
                return "client_id must not contain control characters.";
            }

            length++;
        }

        return length is < 1 or > MaxClientIdLength
            ? $"client_id must be 1 to {MaxClientIdLength} characters."
            : null;
    }
}
