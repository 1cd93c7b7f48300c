using System.Diagnostics;
using Chat.Api.Protocol;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// Runs the no-loss check against a running app: members join, senders send while members drop
/// and resume at random (and an optional fault runs), then senders finish their acks, members
/// catch up with the stream, and each room's stream is compared with what every member received.
/// Fault tests reuse it with a fault callback and options of their own.
/// </summary>
/// <param name="apiUri">The chat API's base address (http or https; sockets use ws or wss).</param>
/// <param name="getToken">A guest token for a username.</param>
/// <param name="redis">The app's Redis, to read each room's stream at the end.</param>
/// <param name="options">The run's shape; see <see cref="NoLossOptions"/>.</param>
public sealed class NoLossRun(Uri apiUri, Func<string, CancellationToken, Task<string>> getToken, IConnectionMultiplexer redis, NoLossOptions options)
{
    /// <summary>
    /// Runs once. <paramref name="fault"/> starts <see cref="NoLossOptions.FaultAfter"/> into the
    /// sending and runs alongside it; its token is cancelled the default test timeout after
    /// sending ends. Sending ends on time; the run waits for the fault before settling.
    /// </summary>
    public async Task<NoLossReport> RunAsync(Func<CancellationToken, Task>? fault = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(apiUri);
        ArgumentNullException.ThrowIfNull(getToken);
        ArgumentNullException.ThrowIfNull(redis);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var journal = new NoLossJournal();
        var violations = new List<string>();
        var seeds = new Random(options.Seed);
        var rooms = new List<string>();
        var members = new List<ResilientMember>();
        var senders = new List<ResilientSender>();
        var roomCount = options.RoomNames?.Count ?? options.Rooms;
        for (var r = 0; r < roomCount; r++)
        {
            var room = options.RoomNames?[r] ?? TestRooms.New($"{options.RoomPrefix}{r}");
            rooms.Add(room);
            for (var m = 0; m < options.MembersPerRoom; m++)
            {
                members.Add(new ResilientMember($"member-{r}-{m}", room, apiUri, getToken, options, new Random(seeds.Next()), journal));
            }

            for (var s = 0; s < options.SendersPerRoom; s++)
            {
                senders.Add(new ResilientSender($"sender-{r}-{s}", room, apiUri, getToken, options, new Random(seeds.Next()), journal));
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] running = [];
        TimeSpan joining = default, settling = default;
        try
        {
            // Every member joins before anyone sends, so each one's first history is a known point.
            try
            {
                await Task.WhenAll(members.Select(m => GuardAsync(m.JoinAsync, $"room {m.Room}, member {m.Name}", journal, stop.Token)))
                    .WaitAsync(TestTimeouts.Default, stop.Token);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException(
                    $"Members had not all joined {TestTimeouts.Default.TotalSeconds:0} s into the no-loss run (seed {options.Seed}): " +
                    string.Join("; ", journal.Failures), ex);
            }
            joining = Stopwatch.GetElapsedTime(started);
            running =
            [
                .. members.Select(m => GuardAsync(m.RunAsync, $"room {m.Room}, member {m.Name}", journal, stop.Token)),
                .. senders.Select(s => GuardAsync(s.RunAsync, $"room {s.Room}, sender {s.Name}", journal, stop.Token)),
            ];

            var faulting = fault is null ? Task.CompletedTask : RunFaultAsync(fault, journal, stop.Token);
            await Task.Delay(options.SendDuration, stop.Token);

            // Sending ends on time even when the fault is still running; the last acks and the
            // catch-up wait for the fault to finish (a Redis that is still down cannot ack).
            var settleStarted = Stopwatch.GetTimestamp();
            var drained = senders.Select(s => s.StopSendingAsync()).ToArray();
            await faulting;
            await SettleAsync(members, senders, drained, rooms, journal, stop.Token);
            settling = Stopwatch.GetElapsedTime(settleStarted);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(running).WaitAsync(TestTimeouts.Default, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                journal.Fail("run", $"some clients did not stop within {TestTimeouts.Default.TotalSeconds:0} s of the run's end");
            }
        }

        violations.AddRange(journal.Failures);
        foreach (var room in rooms)
        {
            var stream = await ReadStreamAsync(room);
            NoLossChecker.CheckRoom(
                room,
                stream,
                senders.Where(s => s.Room == room).SelectMany(s => s.Acked),
                members.Where(m => m.Room == room && m.Joined).Select(m => m.ToRecord()),
                options.RecoveredFalseExpected,
                violations);
        }

        return new NoLossReport(options, journal, violations, rooms, new NoLossTimings(joining, settling, Stopwatch.GetElapsedTime(started)));
    }

    /// <summary>Senders get their last acks; then, with drops stopped, every member catches up with its room's stream.</summary>
    private async Task SettleAsync(
        List<ResilientMember> members, List<ResilientSender> senders, Task[] drained, List<string> rooms, NoLossJournal journal, CancellationToken stop)
    {
        try
        {
            await Task.WhenAll(drained).WaitAsync(options.SettleTimeout, stop);
        }
        catch (TimeoutException)
        {
            foreach (var sender in senders.Where(s => s.PendingCount > 0))
            {
                journal.Fail($"room {sender.Room}", $"a sender still had {sender.PendingCount} unacknowledged messages {options.SettleTimeout.TotalSeconds:0} s after sending stopped");
            }
        }

        foreach (var member in members)
        {
            member.Settle();
        }

        var catchingUp = new List<(ResilientMember Member, MessageId Target, Task Seen)>();
        foreach (var room in rooms)
        {
            var stream = await ReadStreamAsync(room);
            if (stream.Length == 0)
            {
                continue;
            }

            var last = MessageId.Parse((string)stream[^1].Id!);
            foreach (var member in members.Where(m => m.Room == room && m.Joined))
            {
                catchingUp.Add((member, last, member.WaitUntilSeenAsync(last)));
            }
        }

        try
        {
            await Task.WhenAll(catchingUp.Select(c => c.Seen)).WaitAsync(options.SettleTimeout, stop);
        }
        catch (TimeoutException)
        {
            foreach (var (member, target, _) in catchingUp.Where(c => !c.Seen.IsCompleted))
            {
                journal.Fail($"room {member.Room}, member {member.Name}",
                    $"had not seen the stream's last id {target} {options.SettleTimeout.TotalSeconds:0} s after sending stopped (last seen {member.LastSeen})");
            }
        }
    }

    /// <summary>Runs a client, turning an exception it did not expect into a failure of the run rather than of the test.</summary>
    private static async Task GuardAsync(Func<CancellationToken, Task> run, string who, NoLossJournal journal, CancellationToken stop)
    {
        try
        {
            await run(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run ended while the client was between sockets.
        }
        catch (Exception ex)
        {
            journal.Fail(who, $"the client stopped on an unexpected exception: {ex}");
        }
    }

    private async Task RunFaultAsync(Func<CancellationToken, Task> fault, NoLossJournal journal, CancellationToken stop)
    {
        try
        {
            await Task.Delay(options.FaultAfter, stop);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
            bound.CancelAfter(options.SendDuration - options.FaultAfter + TestTimeouts.Default);
            await fault(bound.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run was cancelled.
        }
        catch (Exception ex)
        {
            journal.Fail("fault", $"the fault callback threw {ex}");
        }
    }

    private async Task<StreamEntry[]> ReadStreamAsync(string room) =>
        await redis.GetDatabase().StreamRangeAsync(new RoomKeys(room).Messages, "-", "+").WaitAsync(TestTimeouts.Default);
}
