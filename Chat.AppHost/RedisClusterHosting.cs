using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// <c>Redis:Mode=cluster</c>: a local Redis Cluster of three masters for development, so the API
/// runs against sharded keys and sharded pub/sub before it meets a managed cluster. Each master is
/// a <c>redis-server</c> executable on 127.0.0.1 with append-only persistence in
/// <c>Redis:DataDirectory/cluster/&lt;port&gt;</c>; a one-shot step joins fresh nodes into a cluster
/// and leaves an existing one alone. Ports come from <c>Redis:ClusterPorts</c> (default
/// <c>7001,7002,7003</c>).
/// </summary>
internal static class RedisClusterHosting
{
    public const string PortsKey = "Redis:ClusterPorts";
    private const string CreateScript = "scripts/create-redis-cluster.sh";
    private static readonly int[] s_defaultPorts = [7001, 7002, 7003];

    public static IResourceBuilder<IResourceWithConnectionString> AddLocalRedisCluster(
        this IDistributedApplicationBuilder builder, string resourceName, string dataDirectory)
    {
        var ports = ReadPorts(builder.Configuration);
        var script = Path.Combine(builder.AppHostDirectory, CreateScript);
        if (!File.Exists(script))
        {
            throw new DistributedApplicationException($"The cluster create script is missing: expected it at '{script}'.");
        }

        var connectionString = new ReferenceExpressionBuilder();
        var nodeAddresses = new List<string>(ports.Count);
        var nodes = new List<IResourceBuilder<ExecutableResource>>(ports.Count);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i].ToString(CultureInfo.InvariantCulture);
            var nodeDirectory = Path.Combine(dataDirectory, "cluster", port);
            Directory.CreateDirectory(nodeDirectory);

            // One master per node: its own directory keeps its nodes.conf and append-only files
            // apart, so the cluster survives AppHost restarts. Loopback only: no password.
            var node = builder.AddExecutable($"redis-node-{i + 1}", "redis-server", nodeDirectory,
                    "--port", port,
                    "--bind", "127.0.0.1",
                    "--dir", nodeDirectory,
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--appendonly", "yes",
                    "--appendfsync", "everysec",
                    // The append-only file is the durable copy; RDB snapshots would only add fork pauses.
                    "--save", "")
                // Not proxied: a node answers MOVED with its own port, which clients must reach
                // directly, so the orchestrator may neither pick nor front the port.
                .WithEndpoint(name: "tcp", scheme: "tcp", port: ports[i], targetPort: ports[i], isProxied: false);
            nodes.Add(node);

            var address = "127.0.0.1:" + port;
            nodeAddresses.Add(address);
            if (i > 0)
            {
                connectionString.AppendLiteral(",");
            }

            connectionString.AppendLiteral("127.0.0.1:");
            connectionString.AppendFormatted(node.GetEndpoint("tcp").Property(EndpointProperty.Port));
        }

        // Joins fresh nodes into one cluster, or checks that existing nodes already form one, and
        // exits once every node reports cluster_state:ok; rerunning it is harmless.
        var create = builder.AddExecutable("redis-cluster-create", "/bin/sh", builder.AppHostDirectory,
            [script, .. nodeAddresses]);
        foreach (var node in nodes)
        {
            create.WaitFor(node);
        }

        // StackExchange.Redis discovers a cluster from any of its nodes; listing all three lets
        // it connect while one is down. Apps see the same ConnectionStrings:redis as in other modes.
        return builder.AddConnectionString(resourceName, connectionString.Build())
            .WaitForCompletion(create);
    }

    /// <summary>Parses <c>Redis:ClusterPorts</c>: at least three distinct TCP ports, comma-separated.</summary>
    internal static IReadOnlyList<int> ReadPorts(IConfiguration configuration)
    {
        var configured = configuration[PortsKey];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return s_defaultPorts;
        }

        var ports = new List<int>();
        foreach (var part in configured.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new DistributedApplicationException(
                    $"{PortsKey} has '{part}', which is not a TCP port; give at least three ports, e.g. '7001,7002,7003'.");
            }

            ports.Add(port);
        }

        // A cluster needs a majority of masters to agree, hence three; and its bus port is the
        // node's port + 10000, which must stay a valid port too.
        if (ports.Count < 3 || ports.Distinct().Count() != ports.Count || ports.Exists(p => p > 55535))
        {
            throw new DistributedApplicationException(
                $"{PortsKey} is '{configured}'; give at least three distinct ports no higher than 55535 " +
                "(each node also listens on its port + 10000), e.g. '7001,7002,7003'.");
        }

        return ports;
    }
}
