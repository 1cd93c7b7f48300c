using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// Stops, starts, kills and freezes the app's resources: through the orchestrator's resource
/// commands, or by the process id it reports. Never by process name.
/// </summary>
internal static class AppResources
{
    /// <summary>The local-mode Redis executable's resource name.</summary>
    public const string RedisServer = "redis-server";

    /// <summary>The web frontend's resource name.</summary>
    public const string Web = "chat-web";

    /// <summary>The first snapshot of a resource (by id or display name) that matches.</summary>
    public static async Task<ResourceEvent> WaitForAsync(DistributedApplication app, string resource, Func<ResourceEvent, bool> match, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(cancellation.Token))
            {
                if ((update.ResourceId == resource || update.Resource.Name == resource) && match(update))
                {
                    return update;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"Resource {resource} did not reach the expected state within {timeout ?? TestTimeouts.Default}.");
    }

    public static string? State(ResourceEvent update) => update.Snapshot.State?.Text;

    /// <summary>The process id the orchestrator reports for a running resource.</summary>
    public static async Task<int> ProcessIdAsync(DistributedApplication app, string resource)
    {
        var running = await WaitForAsync(app, resource, u => State(u) == KnownResourceStates.Running && Pid(u) is not null);
        return Pid(running)!.Value;
    }

    /// <summary>
    /// Where a process of the resource listens itself (the first of its <c>ASPNETCORE_URLS</c>, on
    /// 127.0.0.1), not the orchestrator's proxy in front of it. For a resource with replicas, one of them.
    /// </summary>
    public static async Task<Uri> OwnListenerAsync(DistributedApplication app, string resource)
    {
        var update = await WaitForAsync(app, resource, u => u.Snapshot.EnvironmentVariables.Any(e => e.Name == "ASPNETCORE_URLS"));
        var urls = update.Snapshot.EnvironmentVariables.First(e => e.Name == "ASPNETCORE_URLS").Value!;
        return new Uri($"http://127.0.0.1:{new Uri(urls.Split(';')[0]).Port}");
    }

    public static async Task StopAsync(DistributedApplication app, string resource)
    {
        // The command can report failure for a process that takes its time to shut down
        // gracefully (and then stops all the same); what counts is the state it reaches.
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand).WaitAsync(TestTimeouts.Startup);
        try
        {
            await WaitForAsync(app, resource, u => KnownResourceStates.TerminalStates.Contains(State(u)), TestTimeouts.Startup);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{resource} did not stop: {result.Message}", ex);
        }
    }

    public static async Task StartAsync(DistributedApplication app, string resource)
    {
        await ExecuteAsync(app, resource, KnownResourceCommands.StartCommand);
        await WaitForAsync(app, resource, u => State(u) == KnownResourceStates.Running, TestTimeouts.Startup);
    }

    /// <summary>Kills a resource's process outright (SIGKILL), as a crash would.</summary>
    public static async Task KillAsync(DistributedApplication app, string resource)
    {
        using var process = Process.GetProcessById(await ProcessIdAsync(app, resource));
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>Sends a signal (e.g. STOP, CONT) to a process, by id.</summary>
    public static void Signal(int processId, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not run kill.");
        if (!kill.WaitForExit(TestTimeouts.Default) || kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {processId} failed.");
        }
    }

    /// <summary>Every log line a resource (all its replicas, by display name) has written, for failure messages.</summary>
    public static async Task<string> LogsAsync(DistributedApplication app, string resource)
    {
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        var text = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        await foreach (var batch in loggers.GetAllAsync(resource).WithCancellation(timeout.Token))
        {
            foreach (var line in batch)
            {
                text.AppendLine(line.Content);
            }
        }

        return text.ToString();
    }

    private static async Task ExecuteAsync(DistributedApplication app, string resource, string command)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, command).WaitAsync(TestTimeouts.Startup);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {resource} failed: {result.Message}");
        }
    }

    private static int? Pid(ResourceEvent update)
    {
        foreach (var property in update.Snapshot.Properties)
        {
            if (property.Name == "executable.pid" && property.Value is { } value
                && int.TryParse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }
        }

        return null;
    }
}
