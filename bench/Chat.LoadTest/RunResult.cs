using System.Globalization;
using System.Text;

namespace Chat.LoadTest;

/// <summary>One measured run, as written to JSON and to the Markdown table.</summary>
public sealed record RunResult
{
    public required string System { get; init; }

    public required string Label { get; init; }

    public required string Mode { get; init; }

    /// <summary>
    /// What the run was part of (<see cref="Scenarios"/>), or null for a plain run. Absent from
    /// result files written before it existed.
    /// </summary>
    public string? Scenario { get; init; }

    public int Rooms { get; init; }

    public int Members { get; init; }

    public int Senders { get; init; }

    public int Size { get; init; }

    /// <summary>Offered load: per-sender rate × senders, or 0 for closed loop.</summary>
    public double OfferedMessagesPerSecond { get; init; }

    public int Window { get; init; }

    public double DurationSeconds { get; init; }

    public long Sent { get; init; }

    public long Acked { get; init; }

    public long Delivered { get; init; }

    public double DeliveredPerSecond { get; init; }

    /// <summary>Deliveries the members should have had (acked × members) and did not.</summary>
    public long Lost { get; init; }

    public long Duplicates { get; init; }

    public long Errors { get; init; }

    public double P50Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    public double P999Ms { get; init; }

    public double MaxMs { get; init; }

    /// <summary>Latency from the actual send, without the generator's scheduling lag (diagnostic).</summary>
    public double ServiceP50Ms { get; init; }

    public double ServiceP99Ms { get; init; }

    public double ServerCpuPercent { get; init; }

    public double ServerPeakRssMiB { get; init; }

    public double RedisCpuPercent { get; init; }

    public double GeneratorCpuPercent { get; init; }

    public int Connections { get; init; }

    /// <summary>Sockets the server closed during the run (a slow member's 1013, for example).</summary>
    public int ClosedByServer { get; init; }

    /// <summary>Connections-only mode: server working-set growth divided by connections.</summary>
    public double KiBPerConnection { get; init; }

    /// <summary>The server's resident memory before the run's sockets connected (0 without <c>--server-pid</c>).</summary>
    public double ServerRssBeforeMiB { get; init; }

    /// <summary>The same once every member had joined (and <c>--settle</c> had passed), before the first send.</summary>
    public double ServerRssJoinedMiB { get; init; }

    /// <summary>Resident-memory growth from before connecting to everyone joined, divided by the members.</summary>
    public double KiBPerMember { get; init; }

    public static string MarkdownHeader =>
        "| System | Mode | Offered msg/s | Delivered/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | Lost | Dup | Server CPU % | Redis CPU % | Gen CPU % | Server peak MiB |\n" +
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Label} | {Mode} | {(OfferedMessagesPerSecond > 0 ? OfferedMessagesPerSecond.ToString("N0", CultureInfo.InvariantCulture) : $"window {Window}")} | {DeliveredPerSecond:N0} | {P50Ms:0.##} | {P90Ms:0.##} | {P99Ms:0.##} | {P999Ms:0.##} | {MaxMs:0.##} | {Lost} | {Duplicates} | {ServerCpuPercent:0} | {RedisCpuPercent:0} | {GeneratorCpuPercent:0} | {ServerPeakRssMiB:0} |");

    public string Summary()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{Label} ({Mode}): sent {Sent}, acked {Acked}, delivered {Delivered} ({DeliveredPerSecond:N0}/s)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  latency ms p50 {P50Ms:0.###} p90 {P90Ms:0.###} p99 {P99Ms:0.###} p99.9 {P999Ms:0.###} max {MaxMs:0.###} (from the actual send: p50 {ServiceP50Ms:0.###} p99 {ServiceP99Ms:0.###})");
        text.Append(CultureInfo.InvariantCulture, $"  lost {Lost}, duplicates {Duplicates}, errors {Errors}, closed by server {ClosedByServer}; CPU % server {ServerCpuPercent:0} redis {RedisCpuPercent:0} generator {GeneratorCpuPercent:0}; server peak {ServerPeakRssMiB:0} MiB");
        return text.ToString();
    }
}
