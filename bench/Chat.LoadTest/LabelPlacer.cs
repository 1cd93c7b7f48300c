namespace Chat.LoadTest;

/// <summary>
/// Puts short chart labels beside their markers where they cover neither another label nor a
/// marker: markers of different systems often sit close together (three systems' 50k runs share
/// an x), and a label drawn over another is unreadable. Greedy: the first free spot of eight
/// around the marker, right first; when none is free, the right.
/// </summary>
internal sealed class LabelPlacer(double left, double top, double right, double bottom)
{
    /// <summary>A character of the labels' 11 px bold sans-serif, roughly.</summary>
    private const double CharWidth = 6.4;

    /// <summary>From the baseline: ascent above, descent below.</summary>
    private const double Ascent = 9, Descent = 3;

    private const double Gap = 9;

    private readonly List<(double Left, double Top, double Right, double Bottom)> _taken = [];

    /// <summary>Keeps labels off a marker or another drawn thing.</summary>
    public void Reserve(double x, double y, double halfWidth, double halfHeight) =>
        _taken.Add((x - halfWidth, y - halfHeight, x + halfWidth, y + halfHeight));

    /// <summary>Where to draw <paramref name="text"/> for the marker at (x, y): baseline position and text-anchor.</summary>
    public (double X, double Y, string Anchor) Place(double x, double y, string text)
    {
        var width = text.Length * CharWidth;
        (double X, double Y, string Anchor)[] candidates =
        [
            (x + Gap, y + 4, "start"),
            (x - Gap, y + 4, "end"),
            (x, y - Gap - Descent, "middle"),
            (x, y + Gap + Ascent, "middle"),
            (x + Gap - 3, y - Gap + 2, "start"),
            (x + Gap - 3, y + Gap + Ascent - 2, "start"),
            (x - Gap + 3, y - Gap + 2, "end"),
            (x - Gap + 3, y + Gap + Ascent - 2, "end"),
        ];

        var inside = candidates.Where(c => Inside(Box(c, width))).ToList();
        var chosen = inside.FirstOrDefault(c => !_taken.Any(t => Overlaps(t, Box(c, width))));
        if (chosen.Anchor is null)
        {
            chosen = inside.Count > 0 ? inside[0] : candidates[0];
        }

        _taken.Add(Box(chosen, width));
        return chosen;
    }

    private static (double Left, double Top, double Right, double Bottom) Box((double X, double Y, string Anchor) at, double width)
    {
        var left = at.Anchor switch
        {
            "end" => at.X - width,
            "middle" => at.X - width / 2,
            _ => at.X,
        };
        return (left, at.Y - Ascent, left + width, at.Y + Descent);
    }

    private bool Inside((double Left, double Top, double Right, double Bottom) box) =>
        box.Left >= left && box.Right <= right && box.Top >= top && box.Bottom <= bottom;

    private static bool Overlaps((double Left, double Top, double Right, double Bottom) a, (double Left, double Top, double Right, double Bottom) b) =>
        a.Left < b.Right && b.Left < a.Right && a.Top < b.Bottom && b.Top < a.Bottom;
}
