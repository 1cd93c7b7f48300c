using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Chat.Api.Rooms;

/// <summary>
/// Where a page of the rooms directory ended: the last room it passed (listed or skipped as
/// invisible) and that room's activity score. The next page starts strictly after it in the
/// index's order (score descending, then room id descending, as <c>ZRANGE … REV</c> orders ties),
/// so no room is listed twice in one walk even when scores tie. Opaque to clients: base64url of
/// <c>{ms}.{room_id}</c>, which a client must not build or take apart.
/// <para>
/// Readable is not secret, so a cursor never names a room its reader may not see: a page that must
/// stop on another user's private room (see <see cref="RoomDirectory.MaxScannedPerPage"/>) hands out
/// <see cref="WholeMillisecond"/> of that room's score instead, with an empty room id.
/// </para>
/// </summary>
public readonly record struct DirectoryCursor(long ActivityMs, string RoomId)
{
    // 20 digits, a dot and the longest room id fit in 85 bytes; anything longer is not ours.
    private const int MaxEncodedLength = 128;

    /// <summary>The cursor as the client carries it.</summary>
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(ActivityMs.ToString(CultureInfo.InvariantCulture) + "." + RoomId));

    /// <summary>Reads a cursor this server wrote; false for anything else, so the caller answers 400.</summary>
    public static bool TryDecode(string? text, out DirectoryCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > MaxEncodedLength || !Base64Url.IsValid(text))
        {
            return false;
        }

        var plain = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text));
        var dot = plain.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(plain.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return false;
        }

        var roomId = plain[(dot + 1)..];
        if (roomId.Length > 0 && !Protocol.RoomId.IsValid(roomId))
        {
            return false;
        }

        cursor = new DirectoryCursor(ms, roomId);
        return true;
    }

    /// <summary>
    /// A position past every room at <paramref name="activityMs"/>, naming none of them. A room
    /// sharing that exact millisecond and not yet passed is skipped by the walk, as a room whose
    /// activity moves is.
    /// </summary>
    public static DirectoryCursor WholeMillisecond(long activityMs) => new(activityMs, "");

    /// <summary>
    /// Whether an index entry read from this cursor's score downwards was already passed: same
    /// score and an id at or after this one in the reverse order ties come in.
    /// </summary>
    public bool HasPassed(long activityMs, string roomId) =>
        activityMs > ActivityMs || (activityMs == ActivityMs && string.CompareOrdinal(roomId, RoomId) >= 0);
}
