namespace Chat.Web.Security;

/// <summary>
/// Response headers on everything the frontend serves. The Content-Security-Policy allows scripts,
/// styles and connections from this origin only, so even a message that slipped past the app's
/// text-only rendering could not run inline script, load a foreign script or send data elsewhere.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// No <c>'unsafe-inline'</c> anywhere. <c>connect-src 'self'</c> covers the same-origin
    /// <c>ws:</c>/<c>wss:</c> socket (CSP Level 3). <c>frame-ancestors 'none'</c> stops clickjacking;
    /// <c>base-uri</c> and <c>form-action</c> close the remaining ways to send a page elsewhere.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpContext)state).Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
}
