using Chat.LoadTest.Targets;

namespace Chat.LoadTest;

/// <summary>
/// Connections-only mode: opens N sockets that then sit idle, and reports the server's working-set
/// growth per connection. Sockets are spread over rooms of <c>Members</c> and over the source
/// addresses (a process here may hold 20,000 open files; one source address gives ~28,000 ports).
/// </summary>
public sealed class ConnectionsRun(LoadOptions options, TextWriter log)
{
    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        if (!ProcessSampler.Exists(options.ServerPid))
        {
            throw new ArgumentException("--connections needs --server-pid to measure memory.");
        }

        using var target = ChatTarget.Create(options.System, options.Url);
        await using var server = new ProcessSampler(options.ServerPid);
        var before = server.ReadRssKiB();
        var sockets = new List<ChatSocket>(options.Connections);
        var runId = Guid.NewGuid().ToString("N")[..6];
        const int Batch = 200;
        for (var i = 0; i < options.Connections; i += Batch)
        {
            var connects = new List<Task<ChatSocket>>();
            for (var j = i; j < Math.Min(i + Batch, options.Connections); j++)
            {
                var room = $"idle-{runId}-{j / Math.Max(1, options.Members)}";
                connects.Add(target.ConnectAsync(room, $"idle{j % 1000}", options.Sources[j % options.Sources.Count], cancellationToken));
            }

            sockets.AddRange(await Task.WhenAll(connects));
            if (sockets.Count % 5000 < Batch)
            {
                log.WriteLine($"{sockets.Count} connections open");
            }
        }

        // Let the server settle (history frames sent, buffers returned), then read its footprint.
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        var after = server.ReadRssKiB();
        log.WriteLine($"server RSS {before / 1024} MiB -> {after / 1024} MiB with {sockets.Count} idle connections");
        await Task.Delay(options.Duration, cancellationToken);
        var peak = server.PeakRssKiB;
        foreach (var chunk in sockets.Chunk(Batch))
        {
            await Task.WhenAll(chunk.Select(s => s.DisposeAsync().AsTask()));
        }

        return new RunResult
        {
            System = options.System,
            Label = options.Name,
            Mode = "idle connections",
            Connections = sockets.Count,
            ServerPeakRssMiB = peak / 1024.0,
            KiBPerConnection = (after - before) / (double)sockets.Count,
        };
    }
}
