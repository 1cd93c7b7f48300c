using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps access tokens out of telemetry. Browsers cannot set headers on a WebSocket handshake, so
/// the token travels in the query (<c>access_token=</c>); and in run mode the AppHost turns the
/// instrumentation's own query redaction off. So, whatever the environment and log levels say:
/// spans get the query with the token's value replaced, and the hosting layer's request lines,
/// which print the raw URL before any middleware runs, are not logged (spans carry the same facts).
/// </summary>
public static class TokenRedaction
{
    /// <summary>The query parameter that carries a bearer token on WebSocket requests.</summary>
    public const string AccessTokenParameter = "access_token";

    /// <summary>What replaces a token's value.</summary>
    public const string Redacted = "Redacted";

    /// <summary>The log category of the "Request starting …/Request finished …" lines.</summary>
    public const string HostingLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// The web frontend's forwarder logs "Proxying to {url}" at Information for every request, with
    /// the destination's whole URL: a browser's socket handshake carries its <c>access_token</c>
    /// in the query, so that line would print the token.
    /// </summary>
    public const string ForwarderLogCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    /// <summary>
    /// Raises the hosting request lines and the forwarder's per-request lines to Warning. Added in
    /// code, after configuration, so it wins over it. The forwarder's errors stay: they name no URL.
    /// </summary>
    public static ILoggingBuilder AddTokenRedaction(this ILoggingBuilder logging) =>
        logging.AddFilter(HostingLogCategory, LogLevel.Warning)
            .AddFilter(ForwarderLogCategory, LogLevel.Warning);

    /// <summary>Rewrites the span's <c>url.query</c> when the request's query carries a token.</summary>
    public static void RedactQuery(Activity activity, HttpRequest request)
    {
        if (request.Query.ContainsKey(AccessTokenParameter))
        {
            activity.SetTag("url.query", Redact(request.QueryString.Value));
        }
    }

    /// <summary>
    /// Rewrites an outgoing request's <c>url.full</c> when its query carries a token: the web
    /// frontend forwards the browser's socket handshake, query and all, to the API.
    /// </summary>
    public static void RedactUrl(Activity activity, HttpRequestMessage request)
    {
        if (request.RequestUri is { IsAbsoluteUri: true, Query.Length: > 0 } uri
            && uri.Query.Contains(AccessTokenParameter, StringComparison.OrdinalIgnoreCase))
        {
            activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path) + Redact(uri.Query));
        }
    }

    /// <summary><c>?a=1&amp;access_token=xyz</c> becomes <c>?a=1&amp;access_token=Redacted</c>; anything else is kept.</summary>
    public static string? Redact(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return query;
        }

        var parts = query.TrimStart('?').Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var equals = parts[i].IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? parts[i] : parts[i][..equals];
            if (string.Equals(Uri.UnescapeDataString(name), AccessTokenParameter, StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = name + "=" + Redacted;
            }
        }

        return (query.StartsWith('?') ? "?" : "") + string.Join('&', parts);
    }
}
