using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Options;

/// <summary>Which browser pages may talk to the API. Configuration section <c>Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>, exactly as a browser serializes them) whose pages may
    /// open chat sockets and make state-changing calls. Compared whole, ignoring case; no
    /// wildcards. Empty means no browser page may, while clients that send no <c>Origin</c>
    /// (native apps, scripts) are unaffected.
    /// </summary>
    [Required]
    public string[] AllowedOrigins { get; set; } = [];
}
