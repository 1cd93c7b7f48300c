using System.Globalization;
using System.Text;

namespace Chat.LoadTest;

/// <summary>
/// The big-room runs (<see cref="Scenarios.BigRoom"/>) in a table of their own under the main one:
/// one room of many members is a different question (fan-out width, memory per member) from the
/// shared rooms of ten, and its rows would only muddle the main table and the chart. Then one line
/// that puts chat next to the in-process ceiling for each sender count both ran.
/// </summary>
public static class BigRoomReport
{
    public static void Append(StringBuilder text, IReadOnlyList<RunResult> bigRoom)
    {
        if (bigRoom.Count == 0)
        {
            return;
        }

        var rows = bigRoom.OrderBy(r => r.Label, StringComparer.Ordinal).ThenBy(r => r.Senders).ToList();
        text.AppendLine()
            .AppendLine("Big room: one room, every member receiving every message; each run on a freshly started server. Memory per member is the server's " +
                "resident-memory growth from before the first connect to every member joined, divided by the members (it includes the server's " +
                "one-off warm-up, spread over the members).")
            .AppendLine()
            .AppendLine("| System | Senders | Members | Load | Delivered/s | p50 ms | p99 ms | Lost | Server CPU % | Server peak MiB | RSS growth MiB | KiB per member |")
            .AppendLine("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Label} | {r.Senders} | {r.Members:N0} | {Load(r)} | {r.DeliveredPerSecond:N0} | {r.P50Ms:0.##} | {r.P99Ms:0.##} | {r.Lost} | {r.ServerCpuPercent:0} | {r.ServerPeakRssMiB:0} | {r.ServerRssJoinedMiB - r.ServerRssBeforeMiB:0} | {r.KiBPerMember:0.0} |");
        }

        var ratios = new List<string>();
        foreach (var chat in rows.Where(r => r.System == "chat"))
        {
            var ceiling = rows.FirstOrDefault(r => r.System == "inprocess" && r.Senders == chat.Senders && r.Members == chat.Members && Load(r) == Load(chat));
            if (ceiling is null || ceiling.DeliveredPerSecond <= 0)
            {
                continue;
            }

            var memory = ceiling.KiBPerMember > 0 ? string.Create(CultureInfo.InvariantCulture, $", {chat.KiBPerMember / ceiling.KiBPerMember:0.0#}× the memory per member") : "";
            ratios.Add(string.Create(CultureInfo.InvariantCulture,
                $"{chat.Senders} sender{(chat.Senders == 1 ? "" : "s")}: {chat.DeliveredPerSecond / ceiling.DeliveredPerSecond:0.00}× the deliveries/s{memory}"));
        }

        if (ratios.Count > 0)
        {
            text.AppendLine().AppendLine($"Big room, chat ÷ inprocess: {string.Join("; ", ratios)}.");
        }
    }

    /// <summary>What the senders offered: a closed-loop window, or an open-loop rate.</summary>
    private static string Load(RunResult r) => r.OfferedMessagesPerSecond > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{r.OfferedMessagesPerSecond:N0} msg/s")
        : string.Create(CultureInfo.InvariantCulture, $"window {r.Window}");
}
