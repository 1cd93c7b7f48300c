using Chat.Tests.Infrastructure;

namespace Chat.Tests.Deploy;

/// <summary><c>azure.yaml</c>, what <c>azd up</c> reads first, checked against azd's schema.</summary>
public sealed class AzureYamlTests
{
    private static string AzureYamlPath => Path.Combine(RepositoryRoot(), "azure.yaml");

    [Fact]
    public void Azure_yaml_is_valid_against_azds_schema()
    {
        var errors = SchemaValidation.Errors("azure.yaml.schema.json", YamlDocument.Load(AzureYamlPath));

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void Azure_yaml_deploys_the_apphost_as_container_apps_and_names_its_schema()
    {
        var yaml = YamlDocument.Load(AzureYamlPath);

        Assert.Equal("chat", yaml.GetProperty("name").GetString());
        var service = Assert.Single(yaml.GetProperty("services").EnumerateObject()).Value;
        Assert.Equal("dotnet", service.GetProperty("language").GetString());
        Assert.Equal("containerapp", service.GetProperty("host").GetString());
        var project = Path.GetFullPath(Path.Combine(RepositoryRoot(), service.GetProperty("project").GetString()!));
        Assert.Equal(Path.Combine(Projects.Chat_AppHost.ProjectPath, "Chat.AppHost.csproj"), project);
        Assert.StartsWith(
            "# yaml-language-server: $schema=https://raw.githubusercontent.com/Azure/azure-dev/main/schemas/v1.0/azure.yaml.json",
            File.ReadAllText(AzureYamlPath), StringComparison.Ordinal);
    }

    /// <summary>The AppHost's folder (what <c>ProjectPath</c> names) sits in the repository root.</summary>
    internal static string RepositoryRoot() =>
        Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Projects.Chat_AppHost.ProjectPath))!;
}
