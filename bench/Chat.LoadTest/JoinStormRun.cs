using System.Diagnostics;
using Chat.LoadTest.Targets;

namespace Chat.LoadTest;

/// <summary>
/// Join-storm mode: N distinct users join one room as fast as the generator can (a bounded number
/// of connects in flight), each applying the presence frames it receives, until every member's
/// list holds all N. Measures how long that takes and how many presence frames each member got,
/// next to the documented bound (docs/protocol.md: per window, at most
/// <c>Presence:MaxEventsPerWindow</c> events, or one snapshot instead).
/// </summary>
public sealed class JoinStormRun(LoadOptions options, TextWriter log)
{
    public async Task<StormResult> RunAsync(CancellationToken cancellationToken)
    {
        var n = options.JoinStorm;
        using var target = ChatTarget.Create(options.System, options.Url);
        var users = Enumerable.Range(0, n).Select(i => $"storm{i}").ToArray();
        var room = $"storm-{Guid.NewGuid().ToString("N")[..6]}";

        // Sign-ins first (in the same bounded concurrency): the storm is the joins.
        using (var gate = new SemaphoreSlim(options.StormConcurrency))
        {
            await Task.WhenAll(users.Select(async user =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    await target.SignInAsync(user);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        log.WriteLine($"{n} users signed in; joining {room}");
        await using var server = options.ServerPid > 0 ? new ProcessSampler(options.ServerPid) : null;
        await using var redis = options.RedisPid > 0 ? new ProcessSampler(options.RedisPid) : null;
        var generator = Process.GetCurrentProcess();
        var burstGap = options.PresenceWindow / 2;
        var views = users.Select(_ => new PresenceView(n, burstGap)).ToArray();
        var sockets = new ChatSocket?[n];
        var receiving = new Task?[n];
        using var stopReceiving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var errors = 0;

        server?.MarkStart();
        redis?.MarkStart();
        var generatorCpuAtStart = generator.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        using (var gate = new SemaphoreSlim(options.StormConcurrency))
        {
            await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    var socket = await target.ConnectAsync(room, users[i], options.Sources[i % options.Sources.Count], cancellationToken);
                    views[i].ConnectedAt = Stopwatch.GetTimestamp();
                    sockets[i] = socket;
                    // Reads every frame from here on, so nothing queues up in the server for it.
                    receiving[i] = Task.Run(() => socket.ReceiveAsync(views[i], stopReceiving.Token), CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    if (Interlocked.Increment(ref errors) <= 3)
                    {
                        log.WriteLine($"connect {users[i]} failed: {ex.Message}");
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var allConnected = Stopwatch.GetElapsedTime(start);
        log.WriteLine($"{n - errors} connected in {allConnected.TotalSeconds:0.00} s; waiting for every view to hold {n}");

        var deadline = Stopwatch.GetTimestamp() + (long)(options.StormTimeout.TotalSeconds * Stopwatch.Frequency);
        while (views.Any(v => v.ConvergedAt == 0) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        var measuredSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        ReportStragglers(views);
        var serverCpu = server?.CpuPercentSinceStart() ?? 0;
        var redisCpu = redis?.CpuPercentSinceStart() ?? 0;
        generator.Refresh();
        var generatorCpu = (generator.TotalProcessorTime - generatorCpuAtStart).TotalSeconds / measuredSeconds * 100;

        // A quiet tail, so that a frame still on its way after convergence (a late window's
        // snapshot) is counted against the bound too.
        await Task.Delay(options.Drain, cancellationToken);
        var peak = server?.PeakRssKiB ?? 0;
        var result = Summarize(views, start, allConnected, errors) with
        {
            System = options.System,
            Label = options.Name,
            Concurrency = options.StormConcurrency,
            ServerCpuPercent = serverCpu,
            RedisCpuPercent = redisCpu,
            GeneratorCpuPercent = generatorCpu,
            ServerPeakRssMiB = peak / 1024.0,
        };

        // Leave after the counts are taken: the leave storm is not what is measured. Stop reading
        // first, since disposing a socket under its receive loop throws in that loop.
        await stopReceiving.CancelAsync();
        await Task.WhenAll(receiving.OfType<Task>());
        foreach (var chunk in sockets.OfType<ChatSocket>().Chunk(200))
        {
            await Task.WhenAll(chunk.Select(s => s.DisposeAsync().AsTask()));
        }

        return result;
    }

    /// <summary>Who a member that never converged is missing: the evidence for a lost event.</summary>
    private void ReportStragglers(PresenceView[] views)
    {
        var stragglers = views.Where(v => v.ConvergedAt == 0 && v.ConnectedAt != 0).ToArray();
        if (stragglers.Length == 0)
        {
            return;
        }

        var everyone = views.SelectMany(v => v.Users).ToHashSet(StringComparer.Ordinal);
        log.WriteLine($"{stragglers.Length} members never saw all {views.Length}; for example:");
        foreach (var view in stragglers.Take(3))
        {
            var missing = everyone.Except(view.Users).Order(StringComparer.Ordinal).ToArray();
            log.WriteLine($"  member {Array.IndexOf(views, view)} holds {view.Users.Count} after {view.Snapshots} snapshots, {view.Joins} joins, {view.Leaves} leaves; missing {missing.Length}: {string.Join(' ', missing.Take(10))}");
        }
    }

    private StormResult Summarize(PresenceView[] views, long start, TimeSpan allConnected, int errors)
    {
        var n = views.Length;
        var window = options.PresenceWindow.TotalSeconds;
        var converged = views.Where(v => v.ConvergedAt != 0).ToArray();
        var connected = views.Where(v => v.ConnectedAt != 0).ToArray();
        int Presence(PresenceView v) => v.Snapshots + v.Joins + v.Leaves;

        // The documented bound for one member: its join snapshot, then per window either at most
        // MaxEventsPerWindow events or one snapshot. Windows are counted generously (+1 for a
        // partial one at each end): the member cannot see where the server's windows start.
        int Bound(PresenceView v) => 1 + options.PresenceMaxEvents *
            ((int)Math.Ceiling(Math.Max(0, v.LastPresenceAt - v.ConnectedAt) / (double)Stopwatch.Frequency / window) + 1);
        double Mean(Func<PresenceView, double> f) => connected.Length == 0 ? 0 : connected.Average(f);
        int Max(Func<PresenceView, int> f) => connected.Length == 0 ? 0 : connected.Max(f);

        return new StormResult
        {
            System = "",
            Label = "",
            Members = n,
            Connected = n - errors,
            ConnectErrors = errors,
            ClosedByServer = views.Count(v => v.ClosedByServer),
            AllConnectedSeconds = allConnected.TotalSeconds,
            ConvergedMembers = converged.Length,
            ConvergedSeconds = converged.Length == n ? (converged.Max(v => v.ConvergedAt) - start) / (double)Stopwatch.Frequency : 0,
            SnapshotsMean = Mean(v => v.Snapshots),
            SnapshotsMax = Max(v => v.Snapshots),
            JoinsMean = Mean(v => v.Joins),
            JoinsMax = Max(v => v.Joins),
            PresenceFramesMean = Mean(v => Presence(v)),
            PresenceFramesMax = Max(Presence),
            FramesMean = Mean(v => v.Frames),
            KiBMean = Mean(v => v.Bytes / 1024.0),
            KiBMax = connected.Length == 0 ? 0 : connected.Max(v => v.Bytes / 1024.0),
            LargestBurst = Max(v => v.LargestBurst),
            MaxEventsPerWindow = options.PresenceMaxEvents,
            WindowSeconds = window,
            BoundMax = Max(Bound),
            OverBound = connected.Count(v => Presence(v) > Bound(v)),
            UncoalescedJoinsMean = (n - 1) / 2.0,
        };
    }
}
