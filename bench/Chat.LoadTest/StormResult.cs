using System.Globalization;

namespace Chat.LoadTest;

/// <summary>A join storm's result, as written to JSON and printed as one summary line.</summary>
public sealed record StormResult
{
    public required string System { get; init; }

    public required string Label { get; init; }

    public string Mode { get; init; } = "join storm";

    public int Members { get; init; }

    /// <summary>Connects in flight at once.</summary>
    public int Concurrency { get; init; }

    public int Connected { get; init; }

    /// <summary>Connects that failed (refused handshake, timeout).</summary>
    public int ConnectErrors { get; init; }

    public int ClosedByServer { get; init; }

    /// <summary>From the first connect to the last one's completion (sign-ins were done before).</summary>
    public double AllConnectedSeconds { get; init; }

    /// <summary>From the first connect until every member's list held all members; 0 if it never did.</summary>
    public double ConvergedSeconds { get; init; }

    /// <summary>Members whose list held all members before the run gave up waiting.</summary>
    public int ConvergedMembers { get; init; }

    public double SnapshotsMean { get; init; }

    public int SnapshotsMax { get; init; }

    public double JoinsMean { get; init; }

    public int JoinsMax { get; init; }

    /// <summary>Snapshots + joins + leaves per member.</summary>
    public double PresenceFramesMean { get; init; }

    public int PresenceFramesMax { get; init; }

    public double FramesMean { get; init; }

    public double KiBMean { get; init; }

    public double KiBMax { get; init; }

    /// <summary>The most join/leave frames a member got close together (see <see cref="PresenceView.LargestBurst"/>).</summary>
    public int LargestBurst { get; init; }

    /// <summary><c>Presence:MaxEventsPerWindow</c> and <c>Presence:Window</c> the bound assumes.</summary>
    public int MaxEventsPerWindow { get; init; }

    public double WindowSeconds { get; init; }

    /// <summary>
    /// The documented bound for the member that stayed longest in the storm: its join snapshot,
    /// plus per window either at most MaxEventsPerWindow events or one snapshot.
    /// </summary>
    public int BoundMax { get; init; }

    /// <summary>Members that got more presence frames than the bound for their time in the storm.</summary>
    public int OverBound { get; init; }

    /// <summary>Join frames per member had every join been sent on its own: (N − 1) / 2 on average.</summary>
    public double UncoalescedJoinsMean { get; init; }

    /// <summary>% of one core from the first connect until every view converged, or until the timeout when one never did.</summary>
    public double ServerCpuPercent { get; init; }

    public double ServerPeakRssMiB { get; init; }

    public double RedisCpuPercent { get; init; }

    public double GeneratorCpuPercent { get; init; }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Label} ({Mode}): {Connected}/{Members} members connected in {AllConnectedSeconds:0.00} s ({Concurrency} in flight), " +
        $"every view converged in {(ConvergedMembers == Members ? $"{ConvergedSeconds:0.00} s" : $"- (only {ConvergedMembers}/{Members})")}; " +
        $"presence frames per member mean {PresenceFramesMean:0.#} max {PresenceFramesMax} (snapshots mean {SnapshotsMean:0.#} max {SnapshotsMax}, joins mean {JoinsMean:0.#} max {JoinsMax}; " +
        $"uncoalesced would be {UncoalescedJoinsMean:0.#} joins), largest burst {LargestBurst} (bound {MaxEventsPerWindow} per {WindowSeconds:0.##} s window), " +
        $"bound {BoundMax} frames, {OverBound} members over it; received per member {KiBMean:0.#} KiB mean, {KiBMax:0.#} max; " +
        $"errors {ConnectErrors}, closed by server {ClosedByServer}; CPU % server {ServerCpuPercent:0} redis {RedisCpuPercent:0} generator {GeneratorCpuPercent:0}; server peak {ServerPeakRssMiB:0} MiB");
}
