using Chat.Tests.Infrastructure;

namespace Chat.Tests.Deploy;

/// <summary>The images azd builds for chat-api and chat-web, as their project files set them (docs/deploy.md).</summary>
public sealed class ContainerImageTests
{
    [Theory]
    [InlineData("Chat.Api", "chat-api")]
    [InlineData("Chat.Web", "chat-web")]
    public async Task The_image_runs_as_a_non_root_user_on_port_8080_from_a_chiseled_aspnet_base(string project, string repository)
    {
        var path = Path.Combine(AzureYamlTests.RepositoryRoot(), project, project + ".csproj");

        var container = await EvaluatedContainer.ReadAsync(path);

        Assert.Equal(repository, container.Repository);
        Assert.Equal("app", container.User);
        Assert.DoesNotContain(container.User, (string[])["", "root", "0"]);
        // One port: azd points the Container App's ingress at the image's first exposed port.
        Assert.Equal([("8080", "tcp")], container.Ports);
        Assert.Equal("noble-chiseled", container.Family);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", container.BaseImage);
    }
}
