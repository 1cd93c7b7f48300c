using Chat.Web.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Chat.Web.Proxy;

/// <summary>
/// Forwards the browser's API calls and chat sockets to <c>chat-api</c>, so the page talks to one
/// origin: no CORS, and the API's Origin allowlist sees the frontend's own origin.
/// </summary>
internal static class ApiForwarding
{
    /// <summary>The header that tells the API this request came through the frontend.</summary>
    public const string ProxySecretHeader = "X-Chat-Proxy";

    /// <summary>Maps <c>/api/*</c> and <c>/ws/*</c> (WebSocket upgrades included) to the API.</summary>
    public static IEndpointRouteBuilder MapApiForwarding(this IEndpointRouteBuilder app, WebOptions options)
    {
        var request = new ForwarderRequestConfig
        {
            // A chat socket is quiet between messages; the API pings every 30 s, so an idle
            // socket still moves well within this.
            ActivityTimeout = TimeSpan.FromMinutes(2),
        };

        app.MapForwarder("/api/{**rest}", options.ApiAddress, request, transforms =>
        {
            AddTransforms(transforms, options);
            // Answers are per user (rooms, history, tokens): no browser or shared cache keeps them.
            transforms.AddResponseHeader("Cache-Control", "no-store", append: false);
        });
        app.MapForwarder("/ws/{**rest}", options.ApiAddress, request, transforms => AddTransforms(transforms, options));
        return app;
    }

    private static void AddTransforms(TransformBuilderContext transforms, WebOptions options)
    {
        // YARP's default X-Forwarded-For/Proto/Host transforms stay on and *set* the headers
        // (whatever the browser sent is discarded), so the API sees the browser's real address.
        // The secret proves the headers came from here; a browser's own X-Chat-Proxy never passes.
        if (options.ProxySecret.Length > 0)
        {
            transforms.AddRequestHeader(ProxySecretHeader, options.ProxySecret, append: false);
        }
        else
        {
            transforms.AddRequestHeaderRemove(ProxySecretHeader);
        }
    }
}
