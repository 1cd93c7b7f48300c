namespace Chat.LoadTest;

/// <summary>
/// Names a result's <see cref="RunResult.Scenario"/> may carry. The report reads them to tell runs
/// apart that the mode alone cannot: a sweep's open-loop steps from a fixed-rate open-loop run, and
/// the big room from the shared rooms-of-ten scenario.
/// </summary>
public static class Scenarios
{
    /// <summary>A step of a sweep (<c>--sweep-p99</c>); the sweep names its steps itself.</summary>
    public const string Sweep = "sweep";

    /// <summary>One room of many members (<c>--scenario big-room</c>): its own table, not the chart.</summary>
    public const string BigRoom = "big-room";
}
