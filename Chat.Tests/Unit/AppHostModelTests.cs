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
    public async Task Cluster_mode_runs_three_unproxied_cluster_masters_and_a_create_step_the_api_waits_to_complete()
    {
        var data = Directory.CreateTempSubdirectory("chat-model-").FullName;
        try
        {
            await using var builder = await CreateAsync("Redis:Mode=cluster", $"Redis:DataDirectory={data}", "Redis:ClusterPorts=7101,7102,7103");

            Assert.DoesNotContain(builder.Resources, r => r is ContainerResource);
            var nodes = builder.Resources.OfType<ExecutableResource>().Where(r => r.Command == "redis-server").ToList();
            Assert.Equal(["redis-node-1", "redis-node-2", "redis-node-3"], nodes.Select(n => n.Name));
            int[] ports = [7101, 7102, 7103];
            for (var i = 0; i < nodes.Count; i++)
            {
                var port = ports[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
                var args = await ArgumentsAsync(nodes[i], builder.ExecutionContext);
                Assert.Equal(port, args[args.IndexOf("--port") + 1]);
                Assert.Equal("127.0.0.1", args[args.IndexOf("--bind") + 1]);
                Assert.Equal("yes", args[args.IndexOf("--cluster-enabled") + 1]);
                Assert.Equal("nodes.conf", args[args.IndexOf("--cluster-config-file") + 1]);
                Assert.Equal("yes", args[args.IndexOf("--appendonly") + 1]);
                Assert.Equal("everysec", args[args.IndexOf("--appendfsync") + 1]);
                Assert.Equal("", args[args.IndexOf("--save") + 1]);
                Assert.Equal(Path.Combine(data, "cluster", port), nodes[i].WorkingDirectory);
                Assert.Equal(Path.Combine(data, "cluster", port), args[args.IndexOf("--dir") + 1]);

                var endpoint = Assert.Single(nodes[i].Annotations.OfType<EndpointAnnotation>());
                Assert.False(endpoint.IsExplicitlyProxied);
                Assert.Equal(ports[i], endpoint.Port);
                Assert.Equal(ports[i], endpoint.TargetPort);
            }

            var create = Assert.Single(builder.Resources.OfType<ExecutableResource>(), r => r.Name == "redis-cluster-create");
            var createArgs = await ArgumentsAsync(create, builder.ExecutionContext);
            Assert.EndsWith("create-redis-cluster.sh", (string)createArgs[0], StringComparison.Ordinal);
            Assert.True(File.Exists((string)createArgs[0]));
            Assert.Equal(["127.0.0.1:7101", "127.0.0.1:7102", "127.0.0.1:7103"], createArgs.Skip(1));
            Assert.All(nodes, n => Assert.Contains(create.Annotations.OfType<WaitAnnotation>(), w => w.Resource == n));

            var api = Assert.Single(builder.Resources.OfType<ProjectResource>(), r => r.Name == "chat-api");
            Assert.Contains(api.Annotations.OfType<WaitAnnotation>(), w => w.Resource == create && w.WaitType == WaitType.WaitForCompletion);

            // Endpoints are allocated only when the app runs; the configured ports are what a run allocates.
            foreach (var (node, port) in nodes.Zip(ports))
            {
                var endpoint = node.Annotations.OfType<EndpointAnnotation>().Single();
                endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "localhost", port);
            }

            var redis = (IResourceWithConnectionString)Assert.Single(builder.Resources, r => r.Name == "redis");
            Assert.Equal("127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103", await redis.GetConnectionStringAsync());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Auto_mode_never_picks_the_cluster()
    {
        var data = Directory.CreateTempSubdirectory("chat-model-").FullName;
        try
        {
            await using var builder = await CreateAsync("Redis:Mode=auto", $"Redis:DataDirectory={data}");

            Assert.DoesNotContain(builder.Resources, r => r.Name == "redis-cluster-create" || r.Name.StartsWith("redis-node-", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("7001,7002")]
    [InlineData("7001,7001,7002")]
    [InlineData("7001,seven,7003")]
    [InlineData("7001,7002,60000")]
    public async Task Cluster_mode_refuses_ports_that_cannot_form_a_cluster_and_names_the_key(string ports)
    {
        var data = Directory.CreateTempSubdirectory("chat-model-").FullName;
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => CreateAsync("Redis:Mode=cluster", $"Redis:DataDirectory={data}", $"Redis:ClusterPorts={ports}"));

            Assert.Contains("Redis:ClusterPorts", error.ToString(), StringComparison.Ordinal);
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

    [Theory]
    [InlineData("local")]
    [InlineData("cluster")]
    public async Task Publish_mode_always_uses_the_container_with_append_only_persistence(string mode)
    {
        var output = Directory.CreateTempSubdirectory("chat-manifest-").FullName;
        try
        {
            await using var builder = await CreateAsync("--publisher", "manifest", "--output-path", Path.Combine(output, "aspire-manifest.json"), $"Redis:Mode={mode}");

            Assert.True(builder.ExecutionContext.IsPublishMode);
            Assert.DoesNotContain(builder.Resources.OfType<ExecutableResource>(), r => r.Command == "redis-server");
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

        Assert.Contains("'auto', 'container', 'local', 'cluster' or 'external'", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "http://localhost:5170")]
    [InlineData("https://chat.example", "https://chat.example")]
    public async Task The_api_allows_the_web_frontends_origin(string? configured, string expected)
    {
        string[] args = configured is null
            ? ["Redis:Mode=external", "ConnectionStrings:redis=localhost:6379"]
            : ["Redis:Mode=external", "ConnectionStrings:redis=localhost:6379", $"Security:AllowedOrigins={configured}"];
        await using var builder = await CreateAsync(args);
        // Unset, the origin is chat-web's endpoint, which is allocated only when the app runs;
        // its launch profile's URL is what ./run.sh allocates.
        var web = Assert.Single(builder.Resources.OfType<ProjectResource>(), r => r.Name == "chat-web");
        var http = web.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
        http.AllocatedEndpoint = new AllocatedEndpoint(http, "localhost", 5170);

        var api = Assert.Single(builder.Resources.OfType<ProjectResource>(), r => r.Name == "chat-api");
        var environment = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(builder.ExecutionContext, api, environment);
        foreach (var annotation in api.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        var origin = environment["Security__AllowedOrigins__0"];
        Assert.Equal(expected, origin is IValueProvider provider ? await provider.GetValueAsync() : origin);
    }

    [Fact]
    public async Task The_apphosts_limits_section_reaches_every_api_replica()
    {
        await using var builder = await CreateAsync(
            "Redis:Mode=external", "ConnectionStrings:redis=localhost:6379", "Limits:Enabled=false", "Limits:MessagesPerSecond=50");

        var api = Assert.Single(builder.Resources.OfType<ProjectResource>(), r => r.Name == "chat-api");
        var environment = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(builder.ExecutionContext, api, environment);
        foreach (var annotation in api.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        Assert.Equal("false", environment["Limits__Enabled"]);
        Assert.Equal("50", environment["Limits__MessagesPerSecond"]);
    }
}
