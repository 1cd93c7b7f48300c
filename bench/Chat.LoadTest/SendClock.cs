using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Chat.LoadTest;

/// <summary>
/// Wakes open-loop senders at their intended send times to within about a tenth of a
/// millisecond. Task.Delay is only good to a millisecond or two, which showed up as 2 ms of the
/// generator's own lag in every latency percentile; one thread sleeping in short nanosleeps
/// and releasing whoever is due keeps the lag small without spinning a core.
/// </summary>
public sealed partial class SendClock : IDisposable
{
    private static readonly long s_maxSleepTicks = Stopwatch.Frequency / 1000; // 1 ms
    private readonly PriorityQueue<TaskCompletionSource, long> _due = new();
    private readonly Lock _lock = new();
    private readonly Thread _thread;
    private volatile bool _stopped;

    public SendClock()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "send clock", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Completes at <paramref name="stopwatchTimestamp"/> (or at once when that has passed).</summary>
    public Task WaitUntilAsync(long stopwatchTimestamp)
    {
        if (stopwatchTimestamp <= Stopwatch.GetTimestamp())
        {
            return Task.CompletedTask;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _due.Enqueue(waiter, stopwatchTimestamp);
        }

        return waiter.Task;
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
        lock (_lock)
        {
            while (_due.TryDequeue(out var waiter, out _))
            {
                waiter.TrySetCanceled();
            }
        }
    }

    private void Run()
    {
        while (!_stopped)
        {
            long next;
            lock (_lock)
            {
                var now = Stopwatch.GetTimestamp();
                while (_due.TryPeek(out var waiter, out var due) && due <= now)
                {
                    _due.Dequeue();
                    waiter.TrySetResult();
                }

                next = _due.TryPeek(out _, out var nextDue) ? nextDue : now + s_maxSleepTicks;
            }

            var sleepTicks = Math.Clamp(next - Stopwatch.GetTimestamp(), 0, s_maxSleepTicks);
            var microseconds = (uint)(sleepTicks * 1_000_000 / Stopwatch.Frequency);
            if (microseconds >= 20)
            {
                // Wake a little early: nanosleep overshoots by tens of microseconds.
                _ = USleep(microseconds - 20);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}
