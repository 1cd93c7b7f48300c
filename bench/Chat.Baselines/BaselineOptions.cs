namespace Chat.Baselines;

/// <summary>Which baseline server this process runs.</summary>
internal enum BaselineMode
{
    /// <summary>The Python router Chat.Api replaces, reproduced in C#.</summary>
    Seed,

    /// <summary>A minimal SignalR hub with the Redis backplane.</summary>
    SignalR,

    /// <summary>Chat.Api's protocol with no Redis: the ceiling for one process.</summary>
    InProcess,
}

/// <summary>
/// The command line: <c>--mode seed|signalr|inprocess</c> and <c>--redis host:port</c> (seed and
/// signalr). Kestrel reads <c>--urls</c> itself.
/// </summary>
internal sealed record BaselineOptions(BaselineMode Mode, string Redis)
{
    // Chat.Api's defaults, so the WebSocket baselines differ from it only where they mean to.
    public const int MaxMessageBytes = 16 * 1024;
    public const int HistoryLength = 50;
    public const int OutgoingQueueCapacity = 1024;
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Reads and checks the options; the message of the exception is meant for the console.</summary>
    public static BaselineOptions Read(IConfiguration configuration)
    {
        var modeText = configuration["mode"];
        BaselineMode mode;
        if (string.Equals(modeText, "seed", StringComparison.OrdinalIgnoreCase))
        {
            mode = BaselineMode.Seed;
        }
        else if (string.Equals(modeText, "signalr", StringComparison.OrdinalIgnoreCase))
        {
            mode = BaselineMode.SignalR;
        }
        else if (string.Equals(modeText, "inprocess", StringComparison.OrdinalIgnoreCase))
        {
            mode = BaselineMode.InProcess;
        }
        else
        {
            throw new InvalidOperationException(
                $"--mode must be seed, signalr or inprocess (got '{modeText}'). Usage: --mode MODE --urls http://127.0.0.1:PORT [--redis HOST:PORT]");
        }

        var redis = configuration["redis"] ?? "";
        if (mode != BaselineMode.InProcess && redis.Length == 0)
        {
            throw new InvalidOperationException($"--redis HOST:PORT is required for --mode {modeText}.");
        }

        return new BaselineOptions(mode, redis);
    }
}
