using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Chat.Tests.Integration;

/// <summary>The same API and protocol on a three-master Redis Cluster (Redis:Mode=cluster).</summary>
[Collection(ClusterAppCollection.Name)]
public sealed class ClusterTests(ClusterAppFixture app)
{
    [Fact]
    public async Task Rooms_on_all_three_shards_deliver_every_message_once_to_members_on_both_replicas_in_stream_order()
    {
        Assert.Equal(ServerType.Cluster, app.Redis.GetServer(app.Redis.GetEndPoints()[0]).ServerType);
        var rooms = ClusterShards.RoomPerMaster(app.Redis, "shard");
        Assert.Equal(3, rooms.Select(r => r.Master).Distinct().Count());

        var members = new List<(string Room, ChatClient Client)>();
        try
        {
            foreach (var (_, room) in rooms)
            {
                var (onFirst, onSecond) = await app.ConnectToBothReplicasAsync(room, "alice");
                members.Add((room, onFirst));
                members.Add((room, onSecond));
                Assert.NotEqual(onFirst.Instance, onSecond.Instance);
            }

            foreach (var (_, member) in members)
            {
                await member.ReceiveHistoryAsync();
            }

            // Every member sends at once, so each shard serves appends from both replicas together.
            const int PerSender = 10;
            await Task.WhenAll(members.Select(async (m, index) =>
            {
                for (var i = 0; i < PerSender; i++)
                {
                    await m.Client.SendAsync(new { type = "message", content = $"sender {index} message {i}", client_id = $"{index}-{i}" });
                }
            }));

            const int PerRoom = 2 * PerSender;
            foreach (var (_, member) in members)
            {
                await member.ReceiveMessagesUntilAsync(PerRoom);
            }

            var shardsHolding = new List<System.Net.EndPoint>();
            foreach (var (master, room) in rooms)
            {
                var stream = await app.ReadStreamIdsAsync(room);
                Assert.Equal(PerRoom, stream.Count);
                foreach (var (_, member) in members.Where(m => m.Room == room))
                {
                    Assert.Equal(stream, member.ReceivedIds);
                }

                // Asked of each master itself: the room's keys live on the one master its slot maps to.
                var holder = Assert.Single(await ClusterShards.MastersHoldingAsync(app.Redis, room));
                Assert.Equal(master, holder);
                shardsHolding.Add(holder);
            }

            Assert.Equal(3, shardsHolding.Distinct().Count());
        }
        finally
        {
            foreach (var (_, member) in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Reruns the create step's exact command (as the AppHost built it) against the running
    /// cluster, instead of restarting the AppHost on the same data directory: a restart costs a
    /// full stop and start (tens of seconds on two cores) and reaches the same branch of the
    /// script, "the nodes already form a cluster", whose final wait for cluster_state:ok also
    /// covers nodes that are still reconnecting after a restart.
    /// </summary>
    [Fact]
    public async Task Rerunning_the_create_step_on_a_running_cluster_succeeds_and_leaves_the_cluster_ok()
    {
        var before = await ClusterNodeIdsAsync();
        var model = app.App.Services.GetRequiredService<DistributedApplicationModel>();
        var create = model.Resources.OfType<ExecutableResource>().Single(r => r.Name == "redis-cluster-create");
        var args = await ArgumentsAsync(create, app.App.Services.GetRequiredService<DistributedApplicationExecutionContext>());

        var (exitCode, output) = await RunAsync(create.Command, create.WorkingDirectory, args);

        Assert.True(exitCode == 0, $"The create step exited {exitCode}:\n{output}");
        Assert.Contains("already form a cluster", output, StringComparison.Ordinal);
        foreach (var master in ClusterShards.Masters(app.Redis))
        {
            var info = (string)(await app.Redis.GetServer(master.EndPoint!).ExecuteAsync("CLUSTER", "INFO"))!;
            Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
            Assert.Contains("cluster_known_nodes:3", info, StringComparison.Ordinal);
        }

        Assert.Equal(before, await ClusterNodeIdsAsync());
    }

    /// <summary>Node ids by address: a second create would have reset them.</summary>
    private async Task<string> ClusterNodeIdsAsync()
    {
        var nodes = (string)(await app.Redis.GetServer(app.Redis.GetEndPoints()[0]).ExecuteAsync("CLUSTER", "NODES"))!;
        return string.Join('\n', nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => string.Join(' ', line.Split(' ').Take(2)))
            .Order(StringComparer.Ordinal));
    }

    /// <summary>Runs a resource's argument callbacks, as the orchestrator does.</summary>
    private static async Task<List<string>> ArgumentsAsync(ExecutableResource resource, DistributedApplicationExecutionContext executionContext)
    {
        var args = new List<object>();
        var context = new CommandLineArgsCallbackContext(args, resource, CancellationToken.None) { ExecutionContext = executionContext };
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        return args.Select(a => a as string ?? throw new InvalidOperationException($"Argument {a} is not a plain string.")).ToList();
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string workingDirectory, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(command, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
