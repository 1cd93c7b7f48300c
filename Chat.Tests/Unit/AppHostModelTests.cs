using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Chat.Tests.Unit;

/// <summary>The AppHost's model for each Redis mode, built without starting anything.</summary>
public sealed class AppHostModelTests
{
    private static async Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.Chat_AppHost>(args).WaitAsync(Infrastructure.TestTimeouts.Default);

    /// <summary>Runs a resource's argument callbacks, as the orchestrator or publisher would.</summary>
    private static async Task<List<object>> ArgumentsAsync(IResource resource, DistributedApplicationExecutionContext executionContext)
    {
        var args = new List<object>();
        var context = new CommandLineArgsCallbackContext(args, resource, CancellationToken.None) { ExecutionContext = executionContext };
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        return args;
    }

    [Fact]
    public async Task Local_mode_runs_redis_server_on_loopback_with_append_only_persistence_and_no_container()
    {
        var data = Directory.CreateTempSubdirectory("chat-model-").FullName;
        try
        {
            await using var builder = await CreateAsync("Redis:Mode=local", $"Redis:DataDirectory={data}");

            Assert.DoesNotContain(builder.Resources, r => r is ContainerResource);
            var server = Assert.Single(builder.Resources.OfType<ExecutableResource>(), r => r.Name == "redis-server");
            Assert.Equal("redis-server", server.Command);
            var args = await ArgumentsAsync(server, builder.ExecutionContext);
            Assert.Equal("127.0.0.1", args[args.IndexOf("--bind") + 1]);
            Assert.Equal("yes", args[args.IndexOf("--appendonly") + 1]);
            Assert.Equal("everysec", args[args.IndexOf("--appendfsync") + 1]);
            Assert.Equal(data, args[args.IndexOf("--dir") + 1]);
            Assert.Contains(builder.Resources, r => r.Name == "redis" && r is IResourceWithConnectionString);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task External_mode_only_names_the_connection_string()
    {
        await using var builder = await CreateAsync("Redis:Mode=external", "ConnectionStrings:redis=localhost:6379");

        Assert.DoesNotContain(builder.Resources, r => r is ContainerResource);
        Assert.DoesNotContain(builder.Resources.OfType<ExecutableResource>(), r => r.Command == "redis-server");
        var redis = Assert.Single(builder.Resources, r => r.Name == "redis");
        Assert.Equal("localhost:6379", await ((IResourceWithConnectionString)redis).GetConnectionStringAsync());
    }

    [Fact]
    public async Task Publish_mode_always_uses_the_container_with_append_only_persistence()
    {
        var output = Directory.CreateTempSubdirectory("chat-manifest-").FullName;
        try
        {
            await using var builder = await CreateAsync("--publisher", "manifest", "--output-path", Path.Combine(output, "aspire-manifest.json"), "Redis:Mode=local");

            Assert.True(builder.ExecutionContext.IsPublishMode);
            var redis = Assert.Single(builder.Resources.OfType<ContainerResource>(), r => r.Name == "redis");
            var args = await ArgumentsAsync(redis, builder.ExecutionContext);
            var command = (string)args[args.IndexOf("-c") + 1];
            Assert.Contains("--appendonly yes --appendfsync everysec", command, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task The_api_runs_two_replicas_that_wait_for_redis_and_share_a_signing_key()
    {
        await using var builder = await CreateAsync("Redis:Mode=external", "ConnectionStrings:redis=localhost:6379");

        var api = Assert.Single(builder.Resources.OfType<ProjectResource>(), r => r.Name == "chat-api");
        Assert.Equal(2, api.Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        Assert.Contains(api.Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "redis");
        Assert.Contains(builder.Resources.OfType<ParameterResource>(), p => p.Name == "jwt-signing-key" && p.Secret);
    }

    [Fact]
    public async Task An_unknown_mode_fails_with_the_valid_choices()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync("Redis:Mode=cloud"));

        Assert.Contains("'auto', 'container', 'local' or 'external'", error.ToString(), StringComparison.Ordinal);
    }
}
