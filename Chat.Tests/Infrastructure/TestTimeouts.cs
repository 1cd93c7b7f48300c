namespace Chat.Tests.Infrastructure;

/// <summary>Every wait in the tests is bounded by one of these; two cores run the whole app.</summary>
internal static class TestTimeouts
{
    /// <summary>A frame, an ack, a close: things that take milliseconds when nothing is wrong.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    /// <summary>Starting the distributed app (Redis, two API replicas) on a busy two-core machine.</summary>
    public static readonly TimeSpan Startup = TimeSpan.FromMinutes(3);
}
