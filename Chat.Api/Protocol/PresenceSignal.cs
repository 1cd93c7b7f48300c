using System.Text;

namespace Chat.Api.Protocol;

/// <summary>What a presence signal on a room's channel says happened.</summary>
public enum PresenceSignalKind
{
    /// <summary>The subject's first socket in the room, on any replica, opened.</summary>
    Join,

    /// <summary>The subject's last socket in the room closed, or its replica's presence expired.</summary>
    Leave,

    /// <summary>The subject is typing (already throttled by the sender's replica).</summary>
    Typing,
}

/// <summary>
/// An ephemeral signal on a room's sharded channel, beside the published messages:
/// <c>!j &lt;subject&gt; &lt;name&gt;</c>, <c>!l …</c> or <c>!t …</c>. A published message starts with
/// its receive ticks (a digit), so the leading <c>!</c> tells the room's pump, before any parse, that
/// this is no message: it never reaches the gap check or the stream order, and nothing of it is stored.
/// The name is the rest of the payload (a provider's name may hold spaces); subjects hold none.
/// </summary>
public readonly record struct PresenceSignal(PresenceSignalKind Kind, string Subject, string Name)
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The first byte of every presence signal; no published message starts with it.</summary>
    public const byte Marker = (byte)'!';

    /// <summary>What the presence scripts prepend to a join's subject (they build the payload in Lua).</summary>
    public const string JoinPrefix = "!j ";

    /// <summary>What the presence scripts prepend to a leave's subject.</summary>
    public const string LeavePrefix = "!l ";

    /// <summary>What a typing signal starts with.</summary>
    public const string TypingPrefix = "!t ";

    /// <summary>Whether a channel payload is a presence signal rather than a message: one byte compared.</summary>
    public static bool IsSignal(ReadOnlySpan<byte> payload) => payload.Length > 0 && payload[0] == Marker;

    /// <summary>The payload of a typing signal.</summary>
    public static string Typing(string subject, string name) => TypingPrefix + subject + " " + name;

    public static bool TryParse(ReadOnlySpan<byte> payload, out PresenceSignal signal)
    {
        signal = default;
        if (payload.Length < 6 || payload[0] != Marker || payload[2] != (byte)' ')
        {
            return false;
        }

        PresenceSignalKind kind;
        switch (payload[1])
        {
            case (byte)'j':
                kind = PresenceSignalKind.Join;
                break;
            case (byte)'l':
                kind = PresenceSignalKind.Leave;
                break;
            case (byte)'t':
                kind = PresenceSignalKind.Typing;
                break;
            default:
                return false;
        }

        var rest = payload[3..];
        var space = rest.IndexOf((byte)' ');
        if (space <= 0 || space == rest.Length - 1)
        {
            return false;
        }

        try
        {
            signal = new PresenceSignal(kind, s_strictUtf8.GetString(rest[..space]), s_strictUtf8.GetString(rest[(space + 1)..]));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
