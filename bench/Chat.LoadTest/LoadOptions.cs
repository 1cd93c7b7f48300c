using System.Globalization;
using System.Net;

namespace Chat.LoadTest;

/// <summary>What to run, parsed from <c>--name value</c> pairs. See README.md beside this file.</summary>
public sealed record LoadOptions
{
    /// <summary><c>chat</c> (protocol v1), <c>seed</c>, <c>signalr</c> or <c>inprocess</c>.</summary>
    public string System { get; init; } = "chat";

    public Uri Url { get; init; } = new("http://127.0.0.1:5180");

    public int Rooms { get; init; } = 20;

    public int Members { get; init; } = 10;

    public int Senders { get; init; } = 2;

    /// <summary>Bytes of message content.</summary>
    public int Size { get; init; } = 64;

    /// <summary>Open loop: messages per second per sender (0 = closed loop).</summary>
    public double Rate { get; init; }

    /// <summary>Closed loop: messages in flight per sender.</summary>
    public int Window { get; init; } = 1;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to keep receiving after the last send, for in-flight deliveries.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Messaging runs: connects (and sign-ins) in flight at once.</summary>
    public int ConnectConcurrency { get; init; } = 64;

    /// <summary>Messaging runs: a pause after everyone has joined, before the server's memory is read and sending starts.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.Zero;

    /// <summary>Connections-only mode: hold this many idle sockets (0 = messaging mode).</summary>
    public int Connections { get; init; }

    /// <summary>Join-storm mode: this many distinct users join one room at once (0 = off).</summary>
    public int JoinStorm { get; init; }

    /// <summary>Join storm: connects (and sign-ins) in flight at once.</summary>
    public int StormConcurrency { get; init; } = 64;

    /// <summary>
    /// Join storm: how long to wait for every member's list to hold everyone. Finite, so that a
    /// member that never converges (a lost event) ends the run with a count instead of hanging it.
    /// </summary>
    public TimeSpan StormTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The server's <c>Presence:Window</c>, for the bound the storm is compared with.</summary>
    public TimeSpan PresenceWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The server's <c>Presence:MaxEventsPerWindow</c>, for the same bound.</summary>
    public int PresenceMaxEvents { get; init; } = 100;

    /// <summary>Sweep mode: raise the rate by <see cref="SweepFactor"/> until p99 passes this bound (ms).</summary>
    public double SweepP99Ms { get; init; }

    public double SweepFactor { get; init; } = 1.5;

    public int SweepSteps { get; init; } = 12;

    /// <summary>Source addresses to spread sockets over (one gives about 28,000 loopback connections).</summary>
    public IReadOnlyList<IPAddress> Sources { get; init; } = [IPAddress.Loopback];

    /// <summary>Processes to measure (CPU, memory): the server, and Redis when there is one.</summary>
    public int ServerPid { get; init; }

    public int RedisPid { get; init; }

    /// <summary>Written into the result for the report (<see cref="Scenarios"/>); a sweep names its steps itself.</summary>
    public string? Scenario { get; init; }

    /// <summary>A label for the report (defaults to the system name).</summary>
    public string? Label { get; init; }

    /// <summary>Write the JSON result here (the Markdown table goes to standard output).</summary>
    public string? Output { get; init; }

    public string Name => Label ?? System;

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var key = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{key} needs a value.");
            static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
            options = key switch
            {
                "--system" => options with { System = Value() },
                "--url" => options with { Url = new Uri(Value()) },
                "--rooms" => options with { Rooms = (int)Number(Value()) },
                "--members" => options with { Members = (int)Number(Value()) },
                "--senders" => options with { Senders = (int)Number(Value()) },
                "--size" => options with { Size = (int)Number(Value()) },
                "--rate" => options with { Rate = Number(Value()) },
                "--window" => options with { Window = (int)Number(Value()) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Number(Value())) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(Number(Value())) },
                "--drain" => options with { Drain = TimeSpan.FromSeconds(Number(Value())) },
                "--connect-concurrency" => options with { ConnectConcurrency = (int)Number(Value()) },
                "--settle" => options with { Settle = TimeSpan.FromSeconds(Number(Value())) },
                "--connections" => options with { Connections = (int)Number(Value()) },
                "--join-storm" => options with { JoinStorm = (int)Number(Value()) },
                "--storm-concurrency" => options with { StormConcurrency = (int)Number(Value()) },
                "--storm-timeout" => options with { StormTimeout = TimeSpan.FromSeconds(Number(Value())) },
                "--presence-window" => options with { PresenceWindow = TimeSpan.FromSeconds(Number(Value())) },
                "--presence-max-events" => options with { PresenceMaxEvents = (int)Number(Value()) },
                "--sweep-p99" => options with { SweepP99Ms = Number(Value()) },
                "--sweep-factor" => options with { SweepFactor = Number(Value()) },
                "--sweep-steps" => options with { SweepSteps = (int)Number(Value()) },
                "--sources" => options with { Sources = Value().Split(',').Select(IPAddress.Parse).ToArray() },
                "--server-pid" => options with { ServerPid = (int)Number(Value()) },
                "--redis-pid" => options with { RedisPid = (int)Number(Value()) },
                "--scenario" => options with { Scenario = Value() },
                "--label" => options with { Label = Value() },
                "--output" => options with { Output = Value() },
                _ => throw new ArgumentException($"Unknown option {key}."),
            };
        }

        if (options.Senders > options.Members)
        {
            throw new ArgumentException("--senders cannot exceed --members (senders are members).");
        }

        if (options.ConnectConcurrency < 1)
        {
            throw new ArgumentException("--connect-concurrency must be at least 1.");
        }

        if (options.StormConcurrency < 1)
        {
            throw new ArgumentException("--storm-concurrency must be at least 1.");
        }

        if (options.Size < MessageStamp.MinimumSize)
        {
            throw new ArgumentException($"--size must be at least {MessageStamp.MinimumSize} bytes (the stamp).");
        }

        return options;
    }
}
