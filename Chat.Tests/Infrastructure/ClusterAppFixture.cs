using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// The whole distributed app on a local three-master Redis Cluster (<c>Redis:Mode=cluster</c>):
/// three redis-server executables on free loopback ports with their data in a temporary folder,
/// the cluster create step, and two chat-api replicas. Same surface as <see cref="ChatAppFixture"/>;
/// <see cref="ChatAppFixture.Redis"/> is a cluster-aware multiplexer.
/// </summary>
public sealed class ClusterAppFixture : ChatAppFixture
{
    /// <summary>The node names the AppHost gives the masters, in <see cref="Ports"/> order.</summary>
    public static readonly string[] NodeNames = ["redis-node-1", "redis-node-2", "redis-node-3"];

    /// <summary>The masters' client ports on 127.0.0.1.</summary>
    public IReadOnlyList<int> Ports { get; } = FreeClusterPorts(NodeNames.Length);

    protected override IEnumerable<string> AppHostArguments(string redisDataDirectory) =>
    [
        "Redis:Mode=cluster",
        $"Redis:DataDirectory={redisDataDirectory}",
        "Redis:ClusterPorts=" + string.Join(',', Ports.Select(p => p.ToString(CultureInfo.InvariantCulture))),
        "ChatApi:Replicas=2",
    ];

    /// <summary>Stops the app, then checks that every master's process has exited.</summary>
    public override async Task DisposeAsync()
    {
        // Read before stopping: the orchestrator forgets a process id once it has stopped it.
        List<int> nodeProcessIds;
        try
        {
            nodeProcessIds = NodeProcessIds();
        }
        finally
        {
            await base.DisposeAsync();
        }

        var survivors = await WaitForExitAsync(nodeProcessIds, TestTimeouts.Default);
        if (survivors.Count > 0)
        {
            // Stop them by id so the leak does not outlive the run, then fail loudly.
            foreach (var process in survivors)
            {
                process.Kill();
                process.Dispose();
            }

            throw new InvalidOperationException(
                $"redis-server processes {string.Join(", ", survivors.Select(p => p.Id))} outlived the AppHost and were killed.");
        }
    }

    private List<int> NodeProcessIds()
    {
        var ids = new List<int>();
        foreach (var name in NodeNames)
        {
            if (App.ResourceNotifications.TryGetCurrentState(name, out var state)
                && state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
                && int.TryParse(Convert.ToString(pid, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, out var id))
            {
                ids.Add(id);
            }
        }

        if (ids.Count != NodeNames.Length)
        {
            throw new InvalidOperationException($"Found the process ids of {ids.Count} of {NodeNames.Length} cluster nodes; cannot check that they stop.");
        }

        return ids;
    }

    /// <summary>The processes among <paramref name="ids"/> still running (as redis-server) after <paramref name="timeout"/>.</summary>
    private static async Task<List<Process>> WaitForExitAsync(IEnumerable<int> ids, TimeSpan timeout)
    {
        var running = new List<Process>();
        foreach (var id in ids)
        {
            try
            {
                running.Add(Process.GetProcessById(id));
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            foreach (var process in running)
            {
                await process.WaitForExitAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below.
        }

        var survivors = running.Where(p => !p.HasExited && p.ProcessName == "redis-server").ToList();
        foreach (var process in running.Except(survivors))
        {
            process.Dispose();
        }

        return survivors;
    }

    /// <summary>
    /// Ports that are free on 127.0.0.1 together with their cluster bus port (port + 10000). Taken
    /// below the kernel's ephemeral range (32768 and up), so ports the orchestrator or other
    /// connections get from the kernel meanwhile cannot collide with them.
    /// </summary>
    private static int[] FreeClusterPorts(int count)
    {
        var ports = new List<int>();
        for (var attempt = 0; attempt < 1000 && ports.Count < count; attempt++)
        {
            var port = Random.Shared.Next(15000, 22000);
            if (!ports.Contains(port) && IsFree(port) && IsFree(port + 10000))
            {
                ports.Add(port);
            }
        }

        return ports.Count == count
            ? [.. ports]
            : throw new InvalidOperationException($"Found only {ports.Count} of {count} free port pairs (p, p + 10000) on 127.0.0.1.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterAppCollection : ICollectionFixture<ClusterAppFixture>
{
    public const string Name = "chat app on a redis cluster";
}
