using System.Collections.Frozen;
using System.Text;

namespace Chat.Api.Security;

/// <summary>
/// The origins whose pages may use the API (<c>Security:AllowedOrigins</c>). An exact match on
/// the serialized origin, ignoring case: no wildcards and no prefix or suffix matching, because
/// <c>http://localhost:5170.evil.example</c> starts with an allowed origin and is someone else's.
/// </summary>
public sealed class OriginAllowlist
{
    private readonly FrozenSet<string> _origins;

    /// <summary>Creates the allowlist; entries are expected to have passed <see cref="IsSerializedOrigin"/>.</summary>
    public OriginAllowlist(IEnumerable<string> origins)
    {
        ArgumentNullException.ThrowIfNull(origins);
        _origins = origins.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="origin"/>, an <c>Origin</c> header's value, is on the list.</summary>
    public bool Allows(string? origin) => origin is not null && _origins.Contains(origin);

    /// <summary>
    /// Whether <paramref name="value"/> is written the way a browser serializes an origin:
    /// <c>http</c> or <c>https</c>, an ASCII (punycode) host, a port only when not the scheme's
    /// default, nothing after it. Any other spelling could never match an <c>Origin</c> header.
    /// </summary>
    public static bool IsSerializedOrigin(string? value)
    {
        if (string.IsNullOrEmpty(value) || !Ascii.IsValid(value) || value.Contains('*', StringComparison.Ordinal)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length != 0)
        {
            return false;
        }

        // GetLeftPart drops a default port and keeps no path, so any path, trailing slash, query
        // or fragment makes the two differ.
        return string.Equals(uri.GetLeftPart(UriPartial.Authority), value, StringComparison.OrdinalIgnoreCase);
    }
}
