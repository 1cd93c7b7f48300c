using System.ComponentModel.DataAnnotations;

namespace Chat.Web.Options;

/// <summary>How the web frontend reaches the chat API. Configuration section <c>Web</c>.</summary>
public sealed class WebOptions
{
    public const string SectionName = "Web";

    /// <summary>
    /// Where <c>/api/*</c> and <c>/ws/*</c> are forwarded: a service-discovery name, so the AppHost's
    /// reference to <c>chat-api</c> (every replica, locally through the orchestrator's proxy; in
    /// Azure the Container App's internal ingress) is what the browser's calls reach.
    /// <c>https+http</c> prefers HTTPS when the API offers it.
    /// </summary>
    [Required]
    public string ApiAddress { get; set; } = "https+http://chat-api";

    /// <summary>
    /// Sent to the API as <c>X-Chat-Proxy</c> with every forwarded request; the API believes this
    /// frontend's <c>X-Forwarded-For</c> only with it (<c>Security:ProxySecret</c> there). The
    /// AppHost generates one secret parameter for both. Empty: no secret is sent, and the API
    /// counts every browser at the frontend's address.
    /// </summary>
    // Not [MinLength]: that refuses the empty default, which means "off" (a standalone run).
    // RegularExpression passes empty strings and holds any other to the rule.
    [RegularExpression("^.{32,}$", ErrorMessage = "Web:ProxySecret must be empty (off) or at least 32 characters.")]
    public string ProxySecret { get; set; } = "";
}
