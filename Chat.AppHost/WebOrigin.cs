namespace Aspire.Hosting;

/// <summary>
/// The one browser origin the API accepts (<c>Security__AllowedOrigins__0</c>).
/// <list type="bullet">
/// <item>Run mode: <c>Security:AllowedOrigins</c> when set; otherwise wherever the frontend really
/// listens (<c>http://localhost:5170</c> from its launch profile, another port under the testing
/// builder), so the two cannot drift apart.</item>
/// <item>Publish mode: the <c>web-origin</c> parameter, which azd asks for: the frontend's public
/// <c>https://</c> URL. The frontend's endpoint would not do, because azd renders binding URLs as
/// <c>http://…</c> while browsers send the page's <c>https://</c> origin, and every browser request
/// would be refused.</item>
/// </list>
/// </summary>
internal static class WebOrigin
{
    public const string ParameterName = "web-origin";
    public const string ConfigurationKey = "Security:AllowedOrigins";
    private const string EnvironmentVariable = "Security__AllowedOrigins__0";

    public static IResourceBuilder<ProjectResource> WithWebOrigin(this IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> web)
    {
        var builder = api.ApplicationBuilder;
        if (builder.ExecutionContext.IsPublishMode)
        {
            // No default: a guessed origin would either refuse every browser or allow the wrong one.
            var origin = builder.AddParameter(ParameterName)
                .WithDescription("The web frontend's public origin, e.g. https://chat.example.com (scheme and host, no path or trailing slash).");
            return api.WithEnvironment(EnvironmentVariable, origin);
        }

        var configured = builder.Configuration[ConfigurationKey];
        return string.IsNullOrEmpty(configured)
            ? api.WithEnvironment(EnvironmentVariable, web.GetEndpoint("http"))
            : api.WithEnvironment(EnvironmentVariable, configured);
    }
}
