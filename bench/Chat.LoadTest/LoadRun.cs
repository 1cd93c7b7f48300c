using System.Diagnostics;
using Chat.LoadTest.Targets;
using HdrHistogram;

namespace Chat.LoadTest;

/// <summary>
/// One messaging run: rooms × members sockets, the first <c>Senders</c> members of each room send
/// (open loop at a rate, or closed loop with a window of unacknowledged messages), everyone
/// receives, and latency is measured from each message's intended send time.
/// </summary>
public sealed class LoadRun(LoadOptions options, TextWriter log)
{
    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        using var target = ChatTarget.Create(options.System, options.Url);
        long measureStart = long.MaxValue, measureEnd = long.MaxValue;
        if (options.Rate <= 0 && !target.Acknowledges)
        {
            throw new ArgumentException($"{options.System} sends no acks; use an open-loop --rate.");
        }

        var runId = Guid.NewGuid().ToString("N")[..6];
        var total = options.Rooms * options.Members;
        var sockets = new ChatSocket[total];
        var trackers = new MemberTracker[total];
        var receiving = new Task[total];
        using var stop = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cancellationToken);

        log.WriteLine($"connecting {total} sockets to {options.System} at {options.Url}");
        // Before any socket (or, for chat, any sign-in) exists: the growth from here to "everyone
        // joined" is what the members cost the server.
        var rssBefore = ProcessSampler.Exists(options.ServerPid) ? ProcessSampler.ReadRssKiB(options.ServerPid) : 0;
        // A bounded number in flight: a room of 2,000 connecting at once would overflow the
        // server's accept backlog (512) and wait out SYN retransmits of a second and more.
        using (var gate = new SemaphoreSlim(options.ConnectConcurrency))
        {
            await Task.WhenAll(Enumerable.Range(0, total).Select(async i =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    var (room, member) = Math.DivRem(i, options.Members);
                    sockets[i] = await target.ConnectAsync($"load-{runId}-{room}", $"u{room}-{member}", options.Sources[i % options.Sources.Count], cancellationToken);
                    trackers[i] = new MemberTracker(room * options.Senders, options.Senders, target.RepeatsHistory,
                        () => Volatile.Read(ref measureStart), () => Volatile.Read(ref measureEnd));
                    // Reading from the connect on: in a big room the early members get the others'
                    // presence while the rest connect, and an unread socket would fill its queue.
                    receiving[i] = Task.Run(() => sockets[i].ReceiveAsync(trackers[i], linked.Token), CancellationToken.None);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var members = Enumerable.Range(0, total).Select(i =>
        {
            var (room, member) = Math.DivRem(i, options.Members);
            return (Socket: sockets[i], Tracker: trackers[i], Sender: member < options.Senders ? room * options.Senders + member : -1, Room: room);
        }).ToList();

        // Start sending only when every member has had its first frame (history for protocol v1
        // and the seed, the join's completion for SignalR), i.e. has joined and caught up: a member
        // still catching up holds live messages back, which is not what is measured here.
        await Task.WhenAll(members.Select(m => m.Tracker.Joined)).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

        // Let the joins' aftermath pass (presence batches go out up to a window later) before the
        // footprint is read and the first message is sent.
        await Task.Delay(options.Settle, cancellationToken);
        var rssJoined = rssBefore > 0 ? ProcessSampler.ReadRssKiB(options.ServerPid) : 0;
        if (rssBefore > 0)
        {
            log.WriteLine($"server RSS {rssBefore / 1024} MiB before connecting, {rssJoined / 1024} MiB with {members.Count} members joined");
        }

        await using var server = options.ServerPid > 0 ? new ProcessSampler(options.ServerPid) : null;
        await using var redis = options.RedisPid > 0 ? new ProcessSampler(options.RedisPid) : null;
        var generator = Process.GetCurrentProcess();

        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref measureStart, start + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency));
        Volatile.Write(ref measureEnd, measureStart + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency));
        using var clock = new SendClock();
        var senders = members.Where(m => m.Sender >= 0).Select(m => new Sender(m.Sender, m.Socket, m.Tracker, target.Acknowledges, clock)).ToArray();
        var sending = senders.Select(s => Task.Run(() => options.Rate > 0
            ? s.RunOpenLoopAsync(options.Rate, start, measureEnd, options.Size, linked.Token)
            : s.RunClosedLoopAsync(options.Window, measureEnd, options.Size, linked.Token), CancellationToken.None)).ToArray();

        await Task.Delay(options.Warmup, cancellationToken);
        server?.MarkStart();
        redis?.MarkStart();
        var generatorCpuAtStart = generator.TotalProcessorTime;
        var measuredFrom = Stopwatch.GetTimestamp();
        await Task.WhenAll(sending);
        var measuredSeconds = Stopwatch.GetElapsedTime(measuredFrom).TotalSeconds;
        var serverCpu = server?.CpuPercentSinceStart() ?? 0;
        var redisCpu = redis?.CpuPercentSinceStart() ?? 0;
        generator.Refresh();
        var generatorCpu = (generator.TotalProcessorTime - generatorCpuAtStart).TotalSeconds / measuredSeconds * 100;

        await Task.Delay(options.Drain, cancellationToken);
        var closedByServer = members.Count(m => m.Tracker.ClosedByServer is not null);
        foreach (var group in members.Where(m => m.Tracker.ClosedByServer is not null).GroupBy(m => m.Tracker.ClosedByServer))
        {
            log.WriteLine($"{group.Count()} sockets closed by the server with {(int)group.Key!.Value}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(receiving);
        await Task.WhenAll(members.Select(m => m.Socket.DisposeAsync().AsTask()));

        var latency = new LongHistogram(MemberTracker.HighestLatencyMicroseconds, 3);
        var service = new LongHistogram(MemberTracker.HighestLatencyMicroseconds, 3);
        long delivered = 0, duplicates = 0, errors = 0, lost = 0;
        foreach (var (_, tracker, _, _) in members)
        {
            latency.Add(tracker.Latency);
            service.Add(tracker.ServiceLatency);
            delivered += tracker.DeliveredInWindow;
            duplicates += tracker.Duplicates;
            errors += tracker.Errors;
        }

        // Every member should have every acknowledged message of every sender in its room.
        foreach (var (_, tracker, _, room) in members)
        {
            foreach (var sender in senders)
            {
                if (sender.Id / options.Senders == room)
                {
                    lost += Math.Max(0, sender.Acked - tracker.ReceivedFrom(sender.Id));
                }
            }
        }

        double Ms(double percentile) => latency.TotalCount == 0 ? 0 : latency.GetValueAtPercentile(percentile) / 1000.0;
        return new RunResult
        {
            System = options.System,
            Label = options.Name,
            Mode = options.Rate > 0 ? "open loop" : "closed loop",
            Scenario = options.Scenario,
            Rooms = options.Rooms,
            Members = options.Members,
            Senders = options.Senders,
            Size = options.Size,
            OfferedMessagesPerSecond = options.Rate * senders.Length,
            Window = options.Rate > 0 ? 0 : options.Window,
            DurationSeconds = measuredSeconds,
            Sent = senders.Sum(s => s.Sent),
            Acked = senders.Sum(s => s.Acked),
            Delivered = delivered,
            DeliveredPerSecond = delivered / options.Duration.TotalSeconds,
            Lost = lost,
            Duplicates = duplicates,
            Errors = errors,
            P50Ms = Ms(50),
            P90Ms = Ms(90),
            P99Ms = Ms(99),
            P999Ms = Ms(99.9),
            MaxMs = latency.TotalCount == 0 ? 0 : latency.GetMaxValue() / 1000.0,
            ServiceP50Ms = service.TotalCount == 0 ? 0 : service.GetValueAtPercentile(50) / 1000.0,
            ServiceP99Ms = service.TotalCount == 0 ? 0 : service.GetValueAtPercentile(99) / 1000.0,
            ServerCpuPercent = serverCpu,
            ServerPeakRssMiB = (server?.PeakRssKiB ?? 0) / 1024.0,
            RedisCpuPercent = redisCpu,
            GeneratorCpuPercent = generatorCpu,
            Connections = members.Count,
            ClosedByServer = closedByServer,
            ServerRssBeforeMiB = rssBefore / 1024.0,
            ServerRssJoinedMiB = rssJoined / 1024.0,
            KiBPerMember = rssBefore > 0 ? (rssJoined - rssBefore) / (double)members.Count : 0,
        };
    }

    /// <summary>One sending member.</summary>
    private sealed class Sender(int id, ChatSocket socket, MemberTracker tracker, bool acknowledges, SendClock clock)
    {
        private long _acked;

        public int Id { get; } = id;

        public long Sent { get; private set; }

        public long Acked => acknowledges ? Interlocked.Read(ref _acked) : Sent;

        public async Task RunOpenLoopAsync(double rate, long start, long end, int size, CancellationToken cancellationToken)
        {
            tracker.AckReceived = () => Interlocked.Increment(ref _acked);
            var interval = Stopwatch.Frequency / rate;
            // Stagger senders so they do not all fire on the same tick.
            var next = (double)start + Random.Shared.NextDouble() * interval;
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= end)
                {
                    return;
                }

                // Send everything that is due; a stalled sender catches up, and each message
                // still carries the time it was meant to leave.
                while (next <= now && next < end)
                {
                    await SendAsync((long)next, size, cancellationToken);
                    next += interval;
                }

                await clock.WaitUntilAsync((long)next).WaitAsync(cancellationToken);
            }
        }

        public async Task RunClosedLoopAsync(int window, long end, int size, CancellationToken cancellationToken)
        {
            using var slots = new SemaphoreSlim(window, window);
            tracker.AckReceived = () =>
            {
                Interlocked.Increment(ref _acked);
                slots.Release();
            };
            try
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    await slots.WaitAsync(cancellationToken);
                    await SendAsync(Stopwatch.GetTimestamp(), size, cancellationToken);
                }
            }
            finally
            {
                tracker.AckReceived = () => Interlocked.Increment(ref _acked);
            }
        }

        private async Task SendAsync(long intended, int size, CancellationToken cancellationToken)
        {
            var sequence = Sent++;
            await socket.SendAsync(MessageStamp.Create(Id, sequence, intended, MessageStamp.Now(), size), $"{Id}-{sequence}", cancellationToken);
        }
    }
}
