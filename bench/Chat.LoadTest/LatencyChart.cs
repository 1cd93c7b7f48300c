using System.Globalization;
using System.Security;
using System.Text;

namespace Chat.LoadTest;

/// <summary>
/// The SVG chart of docs/benchmarks.svg: per system, its open-loop sweep as a curve (delivered
/// deliveries/s against p99, both on log scales), and its fixed-rate and closed-loop runs as
/// labelled markers of their own, so that runs of different kinds are never joined into one line.
/// A dashed line marks the p99 bound the sweep's knee is judged by.
/// </summary>
public static class LatencyChart
{
    /// <summary>The bound bench/run.sh sweeps with (<c>--sweep-p99 50</c>); result files do not record it.</summary>
    public const double KneeP99Ms = 50;

    private const int Width = 920, Height = 520, Left = 72, Right = 250, Top = 44, Bottom = 56;
    private const int PlotRight = Width - Right, PlotBottom = Height - Bottom;

    private const string ClosedLoop = "closed loop";

    private static readonly string[] s_palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    /// <summary>Draws the chart of <paramref name="results"/> (messaging runs only), titled with the run's name.</summary>
    public static string Draw(IReadOnlyList<RunResult> results, string runName)
    {
        // A run that delivered nothing has no latency to place on a log scale.
        var points = results.Where(r => r.P99Ms > 0 && r.DeliveredPerSecond > 0).ToList();
        var series = points.GroupBy(r => r.Label).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var xRange = LogRange(points.Select(r => r.DeliveredPerSecond), 1000, 1_000_000);
        var yRange = LogRange(points.Select(r => r.P99Ms).Append(KneeP99Ms), 1, 1000);
        double X(double v) => Left + (Math.Log10(v) - xRange.Low) / (xRange.High - xRange.Low) * (PlotRight - Left);
        double Y(double v) => PlotBottom - (Math.Log10(v) - yRange.Low) / (yRange.High - yRange.Low) * (PlotBottom - Top);

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<title>p99 latency against deliveries per second, run {Escape(runName)}</title>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{(Left + PlotRight) / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">p99 latency against deliveries per second (run {Escape(runName)})</text>");
        DrawGrid(svg, xRange, yRange, X, Y);

        var labels = new LabelPlacer(Left + 2, Top + 2, PlotRight - 2, PlotBottom - 2);
        var kneeY = Y(KneeP99Ms);
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{PlotRight}\" y1=\"{kneeY:0.#}\" y2=\"{kneeY:0.#}\" stroke=\"#444\" stroke-width=\"1.5\" stroke-dasharray=\"7 5\"/>");
        // At the left, where the fastest rates (and so the markers crowding the bound) are not.
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left + 6}\" y=\"{kneeY - 5:0.#}\" font-size=\"11\" fill=\"#444\">p99 bound for the knee, {KneeP99Ms:0} ms</text>");
        labels.Reserve(Left + 6 + 85, kneeY - 9, 85, 7);

        var markers = new List<(double X, double Y, string Text, string Color)>();
        for (var i = 0; i < series.Count; i++)
        {
            var color = s_palette[i % s_palette.Length];
            var sweep = series[i].Where(r => r.Scenario == Scenarios.Sweep).OrderBy(r => r.OfferedMessagesPerSecond).ToList();
            if (sweep.Count > 0)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"{string.Join(' ', sweep.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.DeliveredPerSecond):0.#},{Y(p.P99Ms):0.#}")))}\"/>");
                foreach (var p in sweep)
                {
                    var (x, y) = (X(p.DeliveredPerSecond), Y(p.P99Ms));
                    svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"3.5\" fill=\"{color}\"/>");
                    labels.Reserve(x, y, 4, 4);
                }

                if (Knee(sweep) is { } knee)
                {
                    svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{X(knee.DeliveredPerSecond):0.#}\" cy=\"{Y(knee.P99Ms):0.#}\" r=\"7\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"/>");
                }
            }

            foreach (var p in series[i].Where(r => r.Scenario != Scenarios.Sweep))
            {
                var (x, y) = (X(p.DeliveredPerSecond), Y(p.P99Ms));
                var closed = p.OfferedMessagesPerSecond <= 0;
                markers.Add((x, y, closed ? ClosedLoop : Rate(p.OfferedMessagesPerSecond * p.Members), color));
                labels.Reserve(x, y, 7, 7);
            }

            DrawLegendEntry(svg, i, series[i].Key, color, Knee(sweep));
        }

        // Markers over every curve, and their labels placed once every marker is known.
        foreach (var (x, y, text, color) in markers)
        {
            svg.AppendLine(text == ClosedLoop ? Square(x, y, color) : Diamond(x, y, color));
        }

        foreach (var (x, y, text, color) in markers)
        {
            var (tx, ty, anchor) = labels.Place(x, y, text);
            // A white halo keeps a label readable where it crosses a curve or the grid.
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{tx:0.#}\" y=\"{ty:0.#}\" text-anchor=\"{anchor}\" font-size=\"11\" font-weight=\"bold\" fill=\"{color}\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{Escape(text)}</text>");
        }

        var windows = points.Where(r => r.OfferedMessagesPerSecond <= 0).Select(r => r.Window).Distinct().ToList();
        DrawKey(svg, Top + 14 + series.Count * 38 + 16, windows.Count == 1 ? $"closed loop, window {windows[0]}" : "closed loop");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// The last step, in rate order, that kept up within the bound before one did not (as
    /// <see cref="Sweep"/> judges it), or null when the first step already failed.
    /// </summary>
    public static RunResult? Knee(IEnumerable<RunResult> sweepInRateOrder)
    {
        RunResult? knee = null;
        foreach (var step in sweepInRateOrder)
        {
            if (step.P99Ms > KneeP99Ms || step.DeliveredPerSecond < step.OfferedMessagesPerSecond * step.Members * Sweep.KeepUp)
            {
                break;
            }

            knee = step;
        }

        return knee;
    }

    /// <summary>Whole decades (log10) around the values, at least <paramref name="low"/> to <paramref name="high"/> wide.</summary>
    private static (double Low, double High) LogRange(IEnumerable<double> values, double low, double high)
    {
        var list = values.ToList();
        var min = list.Count == 0 ? low : Math.Min(low, list.Min());
        var max = list.Count == 0 ? high : Math.Max(high, list.Max());
        // A little room beyond the extreme points, so markers are not cut at the frame.
        return (Math.Log10(min) - 0.08, Math.Log10(max) + 0.08);
    }

    private static void DrawGrid(StringBuilder svg, (double Low, double High) xRange, (double Low, double High) yRange, Func<double, double> x, Func<double, double> y)
    {
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotRight - Left}\" height=\"{PlotBottom - Top}\" fill=\"none\" stroke=\"#999\"/>");
        foreach (var (value, major) in LogTicks(xRange))
        {
            var px = x(value);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{px:0.#}\" x2=\"{px:0.#}\" y1=\"{Top}\" y2=\"{PlotBottom}\" stroke=\"{(major ? "#d8d8d8" : "#eeeeee")}\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{px:0.#}\" y=\"{PlotBottom + 16}\" text-anchor=\"middle\" fill=\"{(major ? "#000" : "#666")}\">{Rate(value)}</text>");
        }

        foreach (var (value, major) in LogTicks(yRange))
        {
            var py = y(value);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{PlotRight}\" y1=\"{py:0.#}\" y2=\"{py:0.#}\" stroke=\"{(major ? "#d8d8d8" : "#eeeeee")}\"/>");
            if (major)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{py + 4:0.#}\" text-anchor=\"end\">{value.ToString(value < 1 ? "0.###" : "N0", CultureInfo.InvariantCulture)}</text>");
            }
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{(Left + PlotRight) / 2}\" y=\"{Height - 14}\" text-anchor=\"middle\">deliveries per second, delivered (log scale)</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text transform=\"translate(18 {(Top + PlotBottom) / 2}) rotate(-90)\" text-anchor=\"middle\">p99 latency, ms (log scale)</text>");
    }

    /// <summary>1, 2 and 5 in each decade inside the range; the powers of ten are major.</summary>
    private static IEnumerable<(double Value, bool Major)> LogTicks((double Low, double High) range)
    {
        for (var decade = (int)Math.Floor(range.Low); decade <= (int)Math.Ceiling(range.High); decade++)
        {
            foreach (var mantissa in new[] { 1, 2, 5 })
            {
                var value = mantissa * Math.Pow(10, decade);
                var log = Math.Log10(value);
                if (log >= range.Low && log <= range.High)
                {
                    yield return (value, mantissa == 1);
                }
            }
        }
    }

    private static string Square(double x, double y, string color) => string.Create(CultureInfo.InvariantCulture,
        $"<rect x=\"{x - 5.5:0.#}\" y=\"{y - 5.5:0.#}\" width=\"11\" height=\"11\" fill=\"{color}\" stroke=\"#222\" stroke-width=\"1\"/>");

    private static string Diamond(double x, double y, string color) => string.Create(CultureInfo.InvariantCulture,
        $"<polygon points=\"{x:0.#},{y - 6:0.#} {x + 6:0.#},{y:0.#} {x:0.#},{y + 6:0.#} {x - 6:0.#},{y:0.#}\" fill=\"{color}\" stroke=\"#222\" stroke-width=\"1\"/>");

    private static void DrawLegendEntry(StringBuilder svg, int index, string name, string color, RunResult? knee)
    {
        var x = PlotRight + 20;
        var y = Top + 14 + index * 38;
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" x2=\"{x + 24}\" y1=\"{y - 4}\" y2=\"{y - 4}\" stroke=\"{color}\" stroke-width=\"2\"/><circle cx=\"{x + 12}\" cy=\"{y - 4}\" r=\"3.5\" fill=\"{color}\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x + 32}\" y=\"{y}\" font-weight=\"bold\">{Escape(name)}</text>");
        var kneeText = knee is null ? "no sweep step within the bound" : $"knee {Rate(knee.DeliveredPerSecond)}/s at p99 {knee.P99Ms:0.#} ms";
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x + 32}\" y=\"{y + 15}\" font-size=\"11\" fill=\"#555\">{Escape(kneeText)}</text>");
    }

    /// <summary>What the shapes and the dashed line mean.</summary>
    private static void DrawKey(StringBuilder svg, int top, string closedLoop)
    {
        var x = PlotRight + 20;
        const string Gray = "#888";
        svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{x + 12}\" cy=\"{top - 4}\" r=\"3.5\" fill=\"{Gray}\"/><text x=\"{x + 32}\" y=\"{top}\">open-loop sweep step</text>");
        svg.Append(Diamond(x + 12, top + 18, Gray)).AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x + 32}\" y=\"{top + 22}\">fixed rate, offered deliveries/s</text>");
        svg.Append(Square(x + 12, top + 40, Gray)).AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x + 32}\" y=\"{top + 44}\">{Escape(closedLoop)}</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" x2=\"{x + 24}\" y1=\"{top + 62}\" y2=\"{top + 62}\" stroke=\"#444\" stroke-width=\"1.5\" stroke-dasharray=\"7 5\"/><text x=\"{x + 32}\" y=\"{top + 66}\">p99 bound, {KneeP99Ms:0} ms</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{x + 12}\" cy=\"{top + 84}\" r=\"7\" fill=\"none\" stroke=\"{Gray}\" stroke-width=\"1.5\"/><circle cx=\"{x + 12}\" cy=\"{top + 84}\" r=\"3.5\" fill=\"{Gray}\"/><text x=\"{x + 32}\" y=\"{top + 88}\">knee: last step within {KneeP99Ms:0} ms</text>");
    }

    /// <summary>A rate as people say it: 500, 50k, 1.2M.</summary>
    private static string Rate(double value) => value switch
    {
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1_000_000:0.#}M"),
        >= 1000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1000:0.#}k"),
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };

    private static string Escape(string text) => SecurityElement.Escape(text);
}
