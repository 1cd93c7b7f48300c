using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Deploy;

/// <summary>
/// The manifest azd deploys from (issue 10), published by the AppHost and checked against the
/// Aspire manifest schema and the publish-mode rules in docs/deploy.md. Nothing is started.
/// </summary>
public sealed class DeployManifestTests
{
    private const string ManifestSchema = "aspire-8.0.schema.json";

    [Theory]
    [InlineData("Redis:Mode=auto")]
    [InlineData("Redis:Mode=external")]
    public async Task The_published_manifest_is_valid_against_the_aspire_manifest_schema(string mode)
    {
        var manifest = await PublishedManifest.PublishAsync(mode);

        var errors = SchemaValidation.Errors(ManifestSchema, manifest.AsElement());

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Theory]
    [InlineData("Redis:Mode=auto")]
    [InlineData("Redis:Mode=local")]
    [InlineData("Redis:Mode=cluster")]
    [InlineData("Redis:Mode=container")]
    public async Task Redis_is_a_container_with_a_generated_secret_password_and_append_only_persistence_in_its_command(string mode)
    {
        var manifest = await PublishedManifest.PublishAsync(mode);

        var redis = manifest.Resource("redis");
        Assert.Equal("container.v0", (string?)redis["type"]);
        // AddRedis starts `/bin/sh -c "<command>"`; only what is inside that one string reaches redis-server.
        Assert.Equal("/bin/sh", (string?)redis["entrypoint"]);
        var args = Strings(redis["args"]);
        Assert.Equal(2, args.Count);
        Assert.Equal("-c", args[0]);
        var command = args[1].Split(' ');
        Assert.Equal("redis-server", command[0]);
        Assert.Equal("$REDIS_PASSWORD", command[Array.IndexOf(command, "--requirepass") + 1]);
        Assert.Equal("yes", command[Array.IndexOf(command, "--appendonly") + 1]);
        Assert.Equal("everysec", command[Array.IndexOf(command, "--appendfsync") + 1]);
        Assert.Equal("{redis-password.value}", manifest.Env("redis", "REDIS_PASSWORD"));
        Assert.Contains(redis["volumes"]!.AsArray(), v => (string?)v!["target"] == "/data" && (bool?)v["readOnly"] == false);

        var password = AssertSecretParameter(manifest, "redis-password");
        Assert.True((int?)password["default"]?["generate"]?["minLength"] >= 32);
        // StackExchange.Redis cannot carry a comma (or other specials) in a connection string's password.
        Assert.False((bool?)password["default"]?["generate"]?["special"]);
        Assert.Contains("password={redis-password.value}", (string?)redis["connectionString"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_web_frontend_has_an_external_endpoint()
    {
        var manifest = await PublishedManifest.PublishAsync();

        var external = manifest.Resources
            .Where(r => r.Value?["bindings"] is JsonObject bindings && bindings.Any(b => (bool?)b.Value?["external"] == true))
            .Select(r => r.Key);

        Assert.Equal(["chat-web"], external);
        Assert.Equal(true, (bool?)manifest.Resource("chat-web")["bindings"]?["http"]?["external"]);
        Assert.NotNull(manifest.Resource("chat-api")["bindings"]?["http"]);
    }

    [Fact]
    public async Task Every_secret_is_a_secret_parameter_reference_never_a_literal()
    {
        var manifest = await PublishedManifest.PublishAsync();

        AssertSecretParameter(manifest, "jwt-signing-key");
        AssertSecretParameter(manifest, "web-proxy-secret");
        Assert.Equal("{jwt-signing-key.value}", manifest.Env("chat-api", "Auth__SigningKey"));
        Assert.Equal("{web-proxy-secret.value}", manifest.Env("chat-api", "Security__ProxySecret"));
        Assert.Equal("{web-proxy-secret.value}", manifest.Env("chat-web", "Web__ProxySecret"));

        // Whatever is named like a secret anywhere in the manifest is a reference to a parameter
        // that is itself marked secret: a literal would be written into the deployment as plain text.
        foreach (var (resource, variable, value) in AllEnvironment(manifest))
        {
            if (LooksSecret(variable))
            {
                var parameter = Assert.Single(ParameterReferences(value));
                Assert.True(manifest.Resources[parameter]?["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true,
                    $"{resource}'s {variable} refers to '{parameter}', which is not a secret parameter.");
            }
        }
    }

    [Fact]
    public async Task The_allowed_origin_is_the_web_origin_parameter_not_a_binding_url()
    {
        var manifest = await PublishedManifest.PublishAsync();

        // azd renders binding URLs as http://…, while browsers send the page's https:// origin.
        Assert.Equal("{web-origin.value}", manifest.Env("chat-api", "Security__AllowedOrigins__0"));
        var origin = manifest.Resource("web-origin");
        Assert.Equal("parameter.v0", (string?)origin["type"]);
        Assert.Null(origin["inputs"]?["value"]?["default"]);
        Assert.DoesNotContain(AllEnvironment(manifest), e => e.Variable.StartsWith("Security__AllowedOrigins", StringComparison.Ordinal) && e.Value.Contains(".bindings.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_web_frontend_believes_forwarded_headers_from_anyone()
    {
        var manifest = await PublishedManifest.PublishAsync();

        // The frontend sits behind the Container Apps ingress, which ends HTTPS and appends the
        // browser's address; the API believes only what the frontend vouches for with its secret.
        Assert.Equal("true", manifest.Env("chat-web", "ASPNETCORE_FORWARDEDHEADERS_ENABLED"));
        Assert.Null(manifest.Env("chat-api", "ASPNETCORE_FORWARDEDHEADERS_ENABLED"));
    }

    [Fact]
    public async Task External_redis_mode_publishes_a_secret_connection_string_parameter_and_no_container()
    {
        var manifest = await PublishedManifest.PublishAsync("Redis:Mode=external");

        Assert.DoesNotContain(manifest.Resources, r => ((string?)r.Value?["type"])?.StartsWith("container.", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(manifest.Resources, r => r.Key == "redis-password");
        var redis = manifest.Resource("redis");
        Assert.Equal("parameter.v0", (string?)redis["type"]);
        Assert.Equal("{redis.value}", (string?)redis["connectionString"]);
        AssertSecretParameter(manifest, "redis");
        Assert.Equal("{redis.connectionString}", manifest.Env("chat-api", "ConnectionStrings__redis"));
    }

    private static JsonObject AssertSecretParameter(PublishedManifest manifest, string name)
    {
        var parameter = manifest.Resource(name);
        Assert.Equal("parameter.v0", (string?)parameter["type"]);
        Assert.Equal($"{{{name}.inputs.value}}", (string?)parameter["value"]);
        var input = parameter["inputs"]!["value"]!.AsObject();
        Assert.True((bool?)input["secret"], $"'{name}' is not marked secret.");
        return input;
    }

    private static bool LooksSecret(string variable) =>
        variable.Contains("KEY", StringComparison.OrdinalIgnoreCase)
        || variable.Contains("SECRET", StringComparison.OrdinalIgnoreCase)
        || variable.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase);

    /// <summary>The parameters a manifest expression names: <c>{name.value}</c>.</summary>
    private static List<string> ParameterReferences(string value) =>
        [.. System.Text.RegularExpressions.Regex.Matches(value, @"\{([a-z0-9-]+)\.value\}").Select(m => m.Groups[1].Value)];

    private static List<(string Resource, string Variable, string Value)> AllEnvironment(PublishedManifest manifest) =>
        [.. manifest.Resources
            .Where(r => r.Value?["env"] is JsonObject)
            .SelectMany(r => r.Value!["env"]!.AsObject().Select(e => (r.Key, e.Key, (string?)e.Value ?? "")))];

    private static List<string> Strings(JsonNode? array) => [.. array!.AsArray().Select(n => (string?)n ?? "")];
}
