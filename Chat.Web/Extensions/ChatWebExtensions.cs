using Chat.Web.Options;
using Chat.Web.Proxy;
using Chat.Web.Security;
using Microsoft.Extensions.Options;

namespace Chat.Web.Extensions;

/// <summary>Registration, middleware and routes of the web frontend, kept out of Program.cs.</summary>
public static class ChatWebExtensions
{
    public static WebApplicationBuilder AddChatWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebOptions>()
            .Bind(builder.Configuration.GetSection(WebOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The forwarder resolves "https+http://chat-api" through service discovery, which the
        // AppHost's WithReference feeds (services__chat-api__http__0, …).
        builder.Services.AddHttpForwarderWithServiceDiscovery();
        return builder;
    }

    public static WebApplication UseChatWeb(this WebApplication app)
    {
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            // Deployed, the page is HTTPS (the ingress ends TLS, and forwarded headers make the
            // request's scheme https): browsers then refuse plain HTTP to this host (30 days, the default).
            // UseHsts sends nothing on http:// or to localhost, so a local Production run is unaffected.
            app.UseHsts();
        }

        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // File names carry no version, so the browser must revalidate (ETag) every time;
            // a deploy is then seen at the next load instead of mixing old and new scripts.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseWebSockets();
        return app;
    }

    public static WebApplication MapChatWeb(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<WebOptions>>().Value;
        app.MapApiForwarding(options);

        // Every room has an address: /rooms/{room_id} is the app itself, which opens that room.
        // Other unknown paths stay 404 rather than becoming the app.
        app.MapFallbackToFile("/rooms/{**room}", "index.html", new StaticFileOptions
        {
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
