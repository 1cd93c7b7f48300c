using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Chat.LoadTest;

/// <summary>
/// Turns a folder of result files into the Markdown table of docs/benchmarks.md (between its
/// results markers) and the SVG chart of deliveries per second against p99 latency (<see cref="LatencyChart"/>).
/// </summary>
public static class Report
{
    public const string StartMarker = "<!-- results:start -->";
    public const string EndMarker = "<!-- results:end -->";

    public static void Write(string resultsDirectory, string markdownPath, string svgPath, string context)
    {
        var results = new List<RunResult>();
        foreach (var file in Directory.GetFiles(resultsDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            var inFile = JsonSerializer.Deserialize<List<RunResult>>(File.ReadAllText(file), ResultJson.Options) ?? [];
            // Files written before results carried a scenario: bench/run.sh named a sweep's file
            // <label>-sweep.json, and its steps must not be drawn as fixed-rate runs.
            var legacySweep = file.EndsWith("-sweep.json", StringComparison.Ordinal);
            results.AddRange(inFile.Select(r => r.Scenario is null && legacySweep ? r with { Scenario = Scenarios.Sweep } : r));
        }

        var table = new StringBuilder();
        table.AppendLine(context.TrimEnd()).AppendLine();
        var messaging = results.Where(r => r.Mode != "idle connections" && r.Scenario != Scenarios.BigRoom).ToList();
        table.AppendLine(RunResult.MarkdownHeader);
        foreach (var result in messaging)
        {
            table.AppendLine(result.ToMarkdownRow());
        }

        var idle = results.Where(r => r.Mode == "idle connections").ToList();
        if (idle.Count > 0)
        {
            table.AppendLine().AppendLine("| System | Idle connections | KiB per connection | Server peak MiB |").AppendLine("|---|---:|---:|---:|");
            foreach (var result in idle)
            {
                table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {result.Label} | {result.Connections:N0} | {result.KiBPerConnection:0.0} | {result.ServerPeakRssMiB:0} |"));
            }
        }

        BigRoomReport.Append(table, results.Where(r => r.Scenario == Scenarios.BigRoom).ToList());
        table.AppendLine().AppendLine($"![Deliveries per second against p99 latency]({Path.GetFileName(svgPath)})");

        var markdown = File.ReadAllText(markdownPath);
        var start = markdown.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = markdown.IndexOf(EndMarker, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"{markdownPath} has no {StartMarker} … {EndMarker} section.");
        }

        File.WriteAllText(markdownPath,
            markdown[..(start + StartMarker.Length)] + "\n" + table + markdown[end..]);
        File.WriteAllText(svgPath, LatencyChart.Draw(messaging, Path.GetFileName(Path.TrimEndingDirectorySeparator(resultsDirectory))));
    }
}

/// <summary>JSON settings for result files.</summary>
public static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
