using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// The manifest azd reads, written by the AppHost itself in publish mode
/// (<c>--publisher manifest</c>, as <c>dotnet run --project Chat.AppHost -- --publisher manifest</c>
/// does), in this process: no orchestrator or child process is started, so nothing can outlive
/// the test.
/// </summary>
internal sealed class PublishedManifest
{
    private PublishedManifest(string text)
    {
        Text = text;
        Root = JsonNode.Parse(text)?.AsObject() ?? throw new InvalidOperationException("The manifest is empty.");
    }

    /// <summary>The file as written.</summary>
    public string Text { get; }

    public JsonObject Root { get; }

    public JsonObject Resources => Root["resources"]!.AsObject();

    /// <summary>Publishes the AppHost with <paramref name="configuration"/> (e.g. <c>Redis:Mode=external</c>).</summary>
    public static async Task<PublishedManifest> PublishAsync(params string[] configuration)
    {
        var directory = Directory.CreateTempSubdirectory("chat-manifest-").FullName;
        try
        {
            var path = Path.Combine(directory, "aspire-manifest.json");
            var builder = await DistributedApplicationTestingBuilder
                .CreateAsync<Projects.Chat_AppHost>(["--publisher", "manifest", "--output-path", path, .. configuration])
                .WaitAsync(TestTimeouts.Default);
            await using (var app = await builder.BuildAsync().WaitAsync(TestTimeouts.Default))
            {
                // In publish mode the app writes the manifest and stops by itself.
                await app.RunAsync().WaitAsync(TestTimeouts.Default);
            }

            return new PublishedManifest(await File.ReadAllTextAsync(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public JsonObject Resource(string name) =>
        Resources[name]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"The manifest has no resource '{name}'; it has {string.Join(", ", Resources.Select(r => r.Key))}.");

    /// <summary>A resource's environment variable as written, e.g. <c>{jwt-signing-key.value}</c>.</summary>
    public string? Env(string resource, string variable) => Resource(resource)["env"]?[variable]?.GetValue<string>();

    public JsonElement AsElement() => JsonDocument.Parse(Text).RootElement;
}
