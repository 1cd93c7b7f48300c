namespace Chat.Api.Protocol;

/// <summary>
/// The start of a message as the rooms directory shows it: at most 100 characters, counted as
/// Unicode scalar values like <c>Chat:MaxContentLength</c>, so an emoji counts once and a surrogate
/// pair is never split.
/// </summary>
public static class ContentPreview
{
    /// <summary>Characters (Unicode scalar values) the directory shows of a room's last message.</summary>
    public const int MaxLength = 100;

    /// <summary><paramref name="content"/> cut to <paramref name="maxLength"/> scalar values; the same string when it is shorter.</summary>
    public static string Cut(string content, int maxLength = MaxLength)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length <= maxLength)
        {
            // Never more scalar values than UTF-16 units.
            return content;
        }

        var index = 0;
        for (var scalars = 0; scalars < maxLength && index < content.Length; scalars++)
        {
            // Stored content has no unpaired surrogates (ContentRules), but a lone one still counts
            // once rather than swallowing its neighbour.
            index += char.IsHighSurrogate(content[index]) && index + 1 < content.Length && char.IsLowSurrogate(content[index + 1]) ? 2 : 1;
        }

        return index >= content.Length ? content : content[..index];
    }
}
