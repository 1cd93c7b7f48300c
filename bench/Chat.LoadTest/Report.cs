using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Chat.LoadTest;

/// <summary>
/// Turns a folder of result files into the Markdown table of docs/benchmarks.md (between its
/// results markers) and an SVG chart of deliveries per second against p99 latency.
/// </summary>
public static class Report
{
    public const string StartMarker = "<!-- results:start -->";
    public const string EndMarker = "<!-- results:end -->";

    private static readonly string[] s_palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    public static void Write(string resultsDirectory, string markdownPath, string svgPath, string context)
    {
        var results = new List<RunResult>();
        foreach (var file in Directory.GetFiles(resultsDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            results.AddRange(JsonSerializer.Deserialize<List<RunResult>>(File.ReadAllText(file), ResultJson.Options) ?? []);
        }

        var table = new StringBuilder();
        table.AppendLine(context.TrimEnd()).AppendLine();
        var messaging = results.Where(r => r.Mode != "idle connections").ToList();
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
        File.WriteAllText(svgPath, Chart(messaging));
    }

    /// <summary>Deliveries/s on x (linear), p99 ms on y (log), one line per system.</summary>
    private static string Chart(List<RunResult> results)
    {
        const int Width = 760, Height = 420, Left = 70, Right = 170, Top = 20, Bottom = 50;
        var series = results.Where(r => r.P99Ms > 0).GroupBy(r => r.Label).ToList();
        var maxX = Math.Max(1, results.Count == 0 ? 1 : results.Max(r => r.DeliveredPerSecond)) * 1.05;
        var minY = 0.1;
        var maxY = Math.Max(10, results.Count == 0 ? 10 : results.Max(r => r.P99Ms)) * 1.5;
        double X(double v) => Left + v / maxX * (Width - Left - Right);
        double Y(double v) => Top + (1 - (Math.Log10(Math.Max(v, minY)) - Math.Log10(minY)) / (Math.Log10(maxY) - Math.Log10(minY))) * (Height - Top - Bottom);

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        for (var decade = minY; decade <= maxY; decade *= 10)
        {
            var y = Y(decade);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/><text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{decade:0.###}</text>");
        }

        for (var i = 0; i <= 5; i++)
        {
            var value = maxX / 5 * i;
            var x = X(value);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/><text x=\"{x:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{value / 1000:0}k</text>");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">deliveries per second</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text transform=\"translate(16 {(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">p99 latency, ms (log)</text>");
        for (var i = 0; i < series.Count; i++)
        {
            var color = s_palette[i % s_palette.Length];
            var points = series[i].OrderBy(r => r.DeliveredPerSecond).ToList();
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
            foreach (var p in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"{X(p.DeliveredPerSecond):0.#},{Y(p.P99Ms):0.#} ");
            }

            svg.AppendLine("\"/>");
            foreach (var p in points)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.DeliveredPerSecond):0.#}\" cy=\"{Y(p.P99Ms):0.#}\" r=\"3\" fill=\"{color}\"/>");
            }

            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right + 15}\" y=\"{Top + 10 + i * 20}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{Width - Right + 32}\" y=\"{Top + 20 + i * 20}\">{System.Security.SecurityElement.Escape(series[i].Key)}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}

/// <summary>JSON settings for result files.</summary>
public static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
