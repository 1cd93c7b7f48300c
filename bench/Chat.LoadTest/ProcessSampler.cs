using System.Globalization;

namespace Chat.LoadTest;

/// <summary>
/// CPU time and resident memory of another process, read from /proc. CPU is reported as a
/// percentage of one core over the measured interval.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    private static readonly double s_clockTicksPerSecond = 100; // USER_HZ on Linux
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private double _cpuAtStart;
    private DateTime _startedAt;

    public ProcessSampler(int pid)
    {
        _pid = pid;
        StartRssKiB = ReadRssKiB();
        PeakRssKiB = StartRssKiB;
        _sampling = SampleAsync();
    }

    public long StartRssKiB { get; }

    public long PeakRssKiB { get; private set; }

    public static bool Exists(int pid) => pid > 0 && File.Exists($"/proc/{pid}/stat");

    /// <summary>Starts the CPU interval now.</summary>
    public void MarkStart()
    {
        _cpuAtStart = ReadCpuSeconds();
        _startedAt = DateTime.UtcNow;
    }

    /// <summary>Percent of one core used since <see cref="MarkStart"/>.</summary>
    public double CpuPercentSinceStart()
    {
        var elapsed = (DateTime.UtcNow - _startedAt).TotalSeconds;
        return elapsed <= 0 ? 0 : (ReadCpuSeconds() - _cpuAtStart) / elapsed * 100;
    }

    public long ReadRssKiB() => ReadRssKiB(_pid);

    /// <summary>Resident memory now, without sampling: a reading before and after something.</summary>
    public static long ReadRssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private double ReadCpuSeconds()
    {
        // Fields after the command name (which may hold spaces, hence the last ')'): utime is
        // the 14th field overall, stime the 15th.
        var stat = File.ReadAllText($"/proc/{_pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / s_clockTicksPerSecond;
    }

    private async Task SampleAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                PeakRssKiB = Math.Max(PeakRssKiB, ReadRssKiB());
                await Task.Delay(200, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        catch (IOException)
        {
            // The process ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
