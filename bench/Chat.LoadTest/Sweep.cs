namespace Chat.LoadTest;

/// <summary>
/// Raises the open-loop rate step by step until p99 passes the bound or deliveries fall behind
/// the offered load; the last step that kept up within the bound is the knee.
/// </summary>
public sealed class Sweep(LoadOptions options, TextWriter log)
{
    /// <summary>Fraction of the offered deliveries that must arrive for a step to count as keeping up.</summary>
    public const double KeepUp = 0.95;

    public async Task<(List<RunResult> Steps, RunResult? Knee)> RunAsync(CancellationToken cancellationToken)
    {
        var steps = new List<RunResult>();
        RunResult? knee = null;
        var rate = options.Rate;
        for (var step = 0; step < options.SweepSteps; step++)
        {
            var result = await new LoadRun(options with { Rate = rate, Scenario = Scenarios.Sweep }, log).RunAsync(cancellationToken);
            steps.Add(result);
            log.WriteLine(result.Summary());
            var offeredDeliveries = result.OfferedMessagesPerSecond * options.Members;
            var keptUp = result.DeliveredPerSecond >= offeredDeliveries * KeepUp;
            if (result.P99Ms > options.SweepP99Ms || !keptUp)
            {
                log.WriteLine($"knee passed at {rate:0.#} msg/s per sender (p99 {result.P99Ms:0.##} ms, kept up: {keptUp})");
                break;
            }

            knee = result;
            rate *= options.SweepFactor;
        }

        return (steps, knee);
    }
}
