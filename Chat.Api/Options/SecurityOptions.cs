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

    /// <summary>
    /// IP addresses of the reverse proxies (the web frontend, an ingress) whose
    /// <c>X-Forwarded-For</c> is believed. Only then is the forwarded address the client's address
    /// for per-address limits; from anyone else the header is ignored, so a client cannot pick
    /// its own address. Empty by default: nothing is forwarded.
    /// </summary>
    [Required]
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>
    /// A secret the web frontend sends as <c>X-Chat-Proxy</c> with every request it forwards
    /// (<c>Web:ProxySecret</c> there; the AppHost generates one parameter for both). A request
    /// carrying it has its <c>X-Forwarded-For</c>/<c>-Proto</c> believed whatever address it came
    /// from, which is what "trusted only from chat-web" needs where the frontend has no fixed
    /// address (locally every process is loopback; in Azure replicas move). At least 32
    /// characters; empty disables it.
    /// </summary>
    // Not [MinLength]: that refuses the empty default, which means "off" (a standalone run).
    // RegularExpression passes empty strings and holds any other to the rule.
    [RegularExpression("^.{32,}$", ErrorMessage = "Security:ProxySecret must be empty (off) or at least 32 characters.")]
    public string ProxySecret { get; set; } = "";
}
