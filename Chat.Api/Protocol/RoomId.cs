using System.Text.RegularExpressions;

namespace Chat.Api.Protocol;

/// <summary>
/// Room ids: <c>^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$</c>. No braces, so an id can sit inside a Redis
/// hash tag, and no colon, so it cannot forge another room's key.
/// </summary>
public static partial class RoomId
{
    // \z, not $: $ also matches before a trailing newline.
    public const string Pattern = @"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z";

    public static bool IsValid(string? roomId) => roomId is not null && ValidRoomId().IsMatch(roomId);

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex ValidRoomId();
}
