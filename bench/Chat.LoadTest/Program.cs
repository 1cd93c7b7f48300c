using System.Text.Json;
using Chat.LoadTest;

// chat-load [options]                      one run (or a sweep with --sweep-p99, or idle sockets with --connections)
// chat-load report <dir> <benchmarks.md> <chart.svg> <context.md>
if (args.Length > 0 && args[0] == "report")
{
    Report.Write(args[1], args[2], args[3], File.ReadAllText(args[4]));
    return 0;
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("See bench/README.md for the options.");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

List<RunResult> results;
if (options.Connections > 0)
{
    results = [await new ConnectionsRun(options, Console.Out).RunAsync(cancel.Token)];
}
else if (options.SweepP99Ms > 0)
{
    var (steps, knee) = await new Sweep(options, Console.Out).RunAsync(cancel.Token);
    results = steps;
    Console.WriteLine(knee is null ? "knee: below the first step" : $"knee: {knee.DeliveredPerSecond:N0} deliveries/s at p99 {knee.P99Ms:0.##} ms");
}
else
{
    var result = await new LoadRun(options, Console.Out).RunAsync(cancel.Token);
    Console.WriteLine(result.Summary());
    results = [result];
}

Console.WriteLine();
Console.WriteLine(RunResult.MarkdownHeader);
foreach (var result in results)
{
    Console.WriteLine(result.ToMarkdownRow());
}

if (options.Output is not null)
{
    await File.WriteAllTextAsync(options.Output, JsonSerializer.Serialize(results, ResultJson.Options));
}

return 0;
