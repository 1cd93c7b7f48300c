using Chat.Api.Diagnostics;

namespace Chat.Api.Security;

/// <summary>
/// Refuses WebSocket upgrades and state-changing calls (POST, PUT, PATCH, DELETE) that a browser
/// sent from a page whose origin is not on <see cref="OriginAllowlist"/>, with 403 before
/// authentication runs: a browser attaches credentials to cross-site requests, and WebSockets
/// are not covered by CORS. Requests without <c>Origin</c> come from non-browser clients, which
/// cannot be made to act for someone else, so they pass; <c>Origin: null</c> (sandboxed frames,
/// file pages) does not.
/// </summary>
internal sealed class OriginCheckMiddleware(RequestDelegate next, OriginAllowlist allowlist, ILogger<OriginCheckMiddleware> logger)
{
    /// <summary>Longest part of a refused origin that is logged; the header is the client's to fill.</summary>
    private const int MaxLoggedOriginLength = 200;

    public Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count == 0 || !IsChecked(context))
        {
            return next(context);
        }

        // More than one Origin header is not something a browser sends; refuse rather than pick one.
        if (origin.Count == 1 && allowlist.Allows(origin[0]))
        {
            return next(context);
        }

        var refused = origin.ToString();
        // The path only: the query may hold an access token.
        Log.OriginRefused(logger, refused.Length > MaxLoggedOriginLength ? refused[..MaxLoggedOriginLength] : refused, context.Request.Method, context.Request.Path);
        return TypedResults.Problem(
            title: "Origin not allowed",
            detail: "Requests from pages at this origin are not accepted.",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
    }

    private static bool IsChecked(HttpContext context)
    {
        var method = context.Request.Method;
        return context.WebSockets.IsWebSocketRequest
            || HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
    }
}
