using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;

namespace Chat.Api.Identity;

/// <summary>
/// The one place that says who a user is. Names are 1–32 characters of ASCII letters, digits,
/// '_', '.' and '-', compared case-insensitively: <see cref="Key"/> is the identity
/// (idempotency, and later presence, limits and membership), <see cref="Name"/> is shown as typed.
/// </summary>
public readonly record struct ChatUser
{
    public const int MaxNameLength = 32;

    /// <summary>The JWT claim that carries the display name.</summary>
    public const string NameClaim = "name";

    private ChatUser(string name)
    {
        Name = name;
        Key = name.ToLowerInvariant();
    }

    /// <summary>The name as the user chose it; what other members see.</summary>
    public string Name { get; }

    /// <summary>The case-folded name; what the server compares and stores identity under.</summary>
    public string Key { get; }

    /// <summary>Validates a requested name; the error names the rule broken.</summary>
    public static bool TryCreate(string? name, [NotNullWhen(true)] out ChatUser? user, [NotNullWhen(false)] out string? error)
    {
        user = null;
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

        error = null;
        user = new ChatUser(name);
        return true;
    }

    /// <summary>The user an authenticated request belongs to, or null when its token carries no valid name.</summary>
    public static ChatUser? FromPrincipal(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return TryCreate(principal.FindFirstValue(NameClaim), out var user, out _) ? user : null;
    }
}
