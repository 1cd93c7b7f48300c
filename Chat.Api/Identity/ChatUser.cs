using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace Chat.Api.Identity;

/// <summary>
/// The one place that says who a user is. A user is a stable <see cref="Subject"/>: memberships,
/// ownership, limits and idempotency keys hang off it, never off the display name, so a guest name
/// that is released and taken again inherits nothing. <see cref="Name"/> is what other members see.
/// </summary>
public readonly record struct ChatUser
{
    public const int MaxNameLength = 32;

    /// <summary>Longest display name a provider's token may carry.</summary>
    public const int MaxProviderNameLength = 64;

    /// <summary>The JWT claim that carries the display name.</summary>
    public const string NameClaim = "name";

    /// <summary>Where providers put a handle when they have no <c>name</c>.</summary>
    public const string PreferredUsernameClaim = "preferred_username";

    /// <summary>The guest session a guest token belongs to (see <see cref="GuestSessions"/>).</summary>
    public const string SessionClaim = "sid";

    /// <summary>Guest subjects start with this; provider subjects with <see cref="ProviderPrefix"/>.</summary>
    public const string GuestPrefix = "g.";

    public const string ProviderPrefix = "x.";

    public ChatUser(string subject, string name, string? sessionId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Subject = subject;
        Name = name;
        SessionId = sessionId;
    }

    /// <summary>
    /// Who the user is, as the server stores it: <c>g.</c> plus 26 random base-32 characters for a
    /// guest (new at every sign-in), <c>x.</c> plus a hash of issuer and <c>sub</c> for a provider's user.
    /// Only <c>[a-z0-9.]</c>, so it is safe inside Redis keys and hash tags.
    /// </summary>
    public string Subject { get; }

    /// <summary>The display name: what other members see.</summary>
    public string Name { get; }

    /// <summary>The guest session, or null for a provider's user.</summary>
    public string? SessionId { get; }

    public bool IsGuest => Subject.StartsWith(GuestPrefix, StringComparison.Ordinal);

    /// <summary>A fresh guest subject: 130 random bits, so subjects are never reused.</summary>
    public static string NewGuestSubject() => GuestPrefix + RandomBase32(16);

    /// <summary>A fresh session id.</summary>
    public static string NewSessionId() => RandomBase32(16);

    /// <summary>
    /// A provider user's subject: stable for the same issuer and <c>sub</c>, and never equal to a
    /// guest's, whatever the provider puts in <c>sub</c>.
    /// </summary>
    public static string ProviderSubject(string issuer, string sub)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(issuer + "\n" + sub));
        return ProviderPrefix + Base32(hash.AsSpan(0, 16));
    }

    /// <summary>
    /// Validates a requested guest name: 1–32 ASCII letters, digits, '_', '.' and '-'; compared
    /// case-insensitively (<see cref="FoldGuestName"/>). The error names the rule broken.
    /// </summary>
    public static bool TryValidateGuestName(string? name, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(name))
        {
            error = "username is required.";
            return false;
        }

        if (name.Length > MaxNameLength)
        {
            error = $"username must be at most {MaxNameLength} characters.";
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                error = "username may contain only ASCII letters, digits, '_', '.' and '-'.";
                return false;
            }
        }

        if (name.AsSpan().TrimStart('.').IsEmpty)
        {
            // "." and ".." are path segments: no URL could name them (members API).
            error = "username must contain a character other than '.'.";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The form a guest name is reserved under: 'Alice' and 'alice' are one name.</summary>
    public static string FoldGuestName(string name) => name.ToLowerInvariant();

    /// <summary>
    /// A provider's display name is shown as the provider gives it, within limits: 1–64 characters,
    /// no control, format (bidirectional, zero-width) or unpaired-surrogate characters, not blank.
    /// </summary>
    public static bool IsAcceptableProviderName([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxProviderNameLength)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (Rune.DecodeFromUtf16(name.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            i += consumed - 1;
            var category = Rune.GetUnicodeCategory(rune);
            if (category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The user an authenticated request belongs to, or null when its token carries no usable
    /// subject or name. Our guest tokens carry <c>sub</c>, <c>name</c> and <c>sid</c>; a provider's
    /// carry <c>sub</c> and <c>name</c> or <c>preferred_username</c> (see docs/security.md).
    /// </summary>
    public static ChatUser? FromPrincipal(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var sub = principal.FindFirstValue("sub");
        if (string.IsNullOrEmpty(sub))
        {
            return null;
        }

        if (principal.FindFirstValue(SessionClaim) is { Length: > 0 } session
            && sub.StartsWith(GuestPrefix, StringComparison.Ordinal)
            && principal.Identity?.AuthenticationType == IdentitySchemes.Guest)
        {
            var name = principal.FindFirstValue(NameClaim);
            return TryValidateGuestName(name, out _) ? new ChatUser(sub, name!, session) : null;
        }

        if (principal.Identity?.AuthenticationType == IdentitySchemes.Provider)
        {
            var name = principal.FindFirstValue(NameClaim) is { Length: > 0 } given ? given : principal.FindFirstValue(PreferredUsernameClaim);
            var issuer = principal.FindFirst("sub")!.Issuer;
            return IsAcceptableProviderName(name) ? new ChatUser(ProviderSubject(issuer, sub), name) : null;
        }

        return null;
    }

    private static string RandomBase32(int bytes)
    {
        Span<byte> random = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(random);
        return Base32(random);
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var builder = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                builder.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            builder.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return builder.ToString();
    }
}
