using System.Text.Json;
using Chat.LoadTest;

// chat-load [options]                      one run (or a sweep with --sweep-p99, idle sockets with --connections,
//                                          a presence join storm with --join-storm)
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

// The storm's result has its own shape (presence, not deliveries), so it is printed and written on its own.
if (options.JoinStorm > 0)
{
    var storm = await new JoinStormRun(options, Console.Out).RunAsync(cancel.Token);
    Console.WriteLine(storm.Summary());
    if (options.Output is not null)
    {
        await File.WriteAllTextAsync(options.Output, JsonSerializer.Serialize(storm, ResultJson.Options));
    }

    return storm.ConvergedMembers == storm.Members ? 0 : 1;
}

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
