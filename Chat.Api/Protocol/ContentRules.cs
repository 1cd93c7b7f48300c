using System.Text;

namespace Chat.Api.Protocol;

/// <summary>
/// What a message's content and client id may hold. Content: 1 to the configured number of Unicode
/// scalar values, not only white space, no control characters except newline and tab, no lone
/// surrogates. Client id: 1–64 scalar values, no control characters.
/// </summary>
public static class ContentRules
{
    public const int MaxClientIdLength = 64;

    /// <summary>Returns null when <paramref name="content"/> is acceptable, else why not.</summary>
    public static string? ValidateContent(string content, int maxLength)
    {
        var length = 0;
        var onlyWhiteSpace = true;
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

            onlyWhiteSpace &= Rune.IsWhiteSpace(rune);
        }

        if (length == 0)
        {
            return "content must not be empty.";
        }

        return onlyWhiteSpace ? "content must not be only white space." : null;
    }

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
