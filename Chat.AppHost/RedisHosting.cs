using System.Diagnostics;

namespace Aspire.Hosting;

/// <summary>
/// Chooses how the AppHost provides Redis. Configuration key <c>Redis:Mode</c>:
/// <list type="bullet">
/// <item><c>container</c>: the Redis container image with a data volume and append-only persistence.</item>
/// <item><c>local</c>: <c>redis-server</c> from PATH as an executable bound to 127.0.0.1, with
/// append-only persistence in <c>Redis:DataDirectory</c>.</item>
/// <item><c>cluster</c>: a local three-master Redis Cluster of <c>redis-server</c> executables for
/// development; see <see cref="RedisClusterHosting"/>. Never chosen by <c>auto</c>.</item>
/// <item><c>external</c>: an existing Redis named by <c>ConnectionStrings:redis</c>.</item>
/// <item><c>auto</c> (default): <c>container</c> when a container runtime answers, else <c>local</c>
/// when <c>redis-server</c> is on PATH, else a start-up error that names the three fixes.</item>
/// </list>
/// Publish mode (the manifest azd reads) never probes: <c>external</c> makes the connection string a
/// secret parameter azd asks for (a managed Redis); every other mode publishes the container, with a
/// generated password and append-only persistence.
/// </summary>
internal static class RedisHosting
{
    private const string ResourceName = "redis";
    private static readonly TimeSpan s_runtimeProbeTimeout = TimeSpan.FromSeconds(5);

    public static IResourceBuilder<IResourceWithConnectionString> AddChatRedis(this IDistributedApplicationBuilder builder)
    {
        var mode = builder.Configuration["Redis:Mode"]?.Trim().ToLowerInvariant() ?? "auto";
        if (builder.ExecutionContext.IsPublishMode)
        {
            // The local modes make no sense in Azure; only a managed Redis replaces the container.
            return mode == "external" ? builder.AddConnectionString(ResourceName) : builder.AddRedisContainer();
        }

        return mode switch
        {
            "container" => builder.AddRedisContainer(),
            "local" => builder.AddLocalRedisServer(),
            "cluster" => builder.AddLocalRedisCluster(ResourceName, DataDirectory(builder)),
            "external" => builder.AddConnectionString(ResourceName),
            "auto" => builder.AddAutoRedis(),
            _ => throw new DistributedApplicationException(
                $"Unknown Redis:Mode '{mode}'. Use 'auto', 'container', 'local', 'cluster' or 'external'."),
        };
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddAutoRedis(this IDistributedApplicationBuilder builder)
    {
        if (ContainerRuntimeAnswers(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker"))
        {
            return builder.AddRedisContainer();
        }

        if (FindOnPath("redis-server") is not null)
        {
            return builder.AddLocalRedisServer();
        }

        throw new DistributedApplicationException(
            "No Redis is available. Do one of: start a container runtime (Docker or Podman); " +
            "install redis-server (Debian/Ubuntu: 'sudo apt-get install redis-server', macOS: 'brew install redis'); " +
            "or point at an existing Redis with Redis:Mode=external and ConnectionStrings:redis=<host:port>.");
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddRedisContainer(this IDistributedApplicationBuilder builder)
    {
        // Named and generated here rather than left to AddRedis, so its length is chosen: 32
        // letters and digits (no commas or other specials, which StackExchange.Redis's connection
        // string cannot carry). azd generates it once per environment and keeps it as a secret.
        var password = builder.AddParameter(
            ResourceName + "-password",
            new GenerateParameterDefault { MinLength = 32, Special = false },
            secret: true);

        return builder.AddRedis(ResourceName, password: password)
            .WithDataVolume()
            // AddRedis starts `/bin/sh -c "redis-server ..."`; arguments added with WithArgs would
            // land after the -c string where the shell ignores them, so append-only persistence
            // is added to the command string itself.
            .WithArgs(context =>
            {
                var commandIndex = context.Args.IndexOf("-c") + 1;
                if (commandIndex <= 0 || commandIndex >= context.Args.Count || context.Args[commandIndex] is not string command)
                {
                    throw new DistributedApplicationException(
                        "The Redis container's start command changed shape; append-only persistence could not be added.");
                }

                context.Args[commandIndex] = command + " --appendonly yes --appendfsync everysec";
            });
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalRedisServer(this IDistributedApplicationBuilder builder)
    {
        var dataDirectory = DataDirectory(builder);

        var server = builder.AddExecutable("redis-server", "redis-server", dataDirectory)
            .WithEndpoint(name: "tcp", scheme: "tcp");
        var endpoint = server.GetEndpoint("tcp");
        server.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
            // Loopback only: this server has no password.
            context.Args.Add("--bind");
            context.Args.Add("127.0.0.1");
            context.Args.Add("--dir");
            context.Args.Add(dataDirectory);
            context.Args.Add("--appendonly");
            context.Args.Add("yes");
            context.Args.Add("--appendfsync");
            context.Args.Add("everysec");
            // The append-only file is the durable copy; RDB snapshots would only add fork pauses.
            context.Args.Add("--save");
            context.Args.Add("");
        });

        // Apps reference the connection string, not the executable, so the API sees the same
        // ConnectionStrings:redis whichever mode is chosen.
        var connectionString = builder.AddConnectionString(
            ResourceName,
            ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.HostAndPort)}"));
        return connectionString.WaitFor(server);
    }

    /// <summary>
    /// Makes <paramref name="app"/> wait until Redis can serve it. The <c>redis</c> connection string
    /// is not a process; the app also waits directly for what it waits for (the local redis-server,
    /// or the completion of the cluster's create step), so no mode relies on how the orchestrator
    /// reports a connection string's state.
    /// </summary>
    public static IResourceBuilder<T> WaitForChatRedis<T>(this IResourceBuilder<T> app, IResourceBuilder<IResourceWithConnectionString> redis)
        where T : IResourceWithWaitSupport
    {
        app.WaitFor(redis);
        foreach (var wait in redis.Resource.Annotations.OfType<WaitAnnotation>().ToList())
        {
            app.WithAnnotation(new WaitAnnotation(wait.Resource, wait.WaitType, wait.ExitCode));
        }

        return app;
    }

    /// <summary><c>Redis:DataDirectory</c>, created if missing; the local modes keep their files there.</summary>
    private static string DataDirectory(IDistributedApplicationBuilder builder)
    {
        var dataDirectory = builder.Configuration["Redis:DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "chat", "redis");
        Directory.CreateDirectory(dataDirectory);
        return dataDirectory;
    }

    private static bool ContainerRuntimeAnswers(string runtime)
    {
        if (FindOnPath(runtime) is not { } executable)
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(executable, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(s_runtimeProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? FindOnPath(string executable)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
