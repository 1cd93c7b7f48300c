namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// The shape of one no-loss run: how many rooms, members and senders, how long and how fast the
/// senders send, and how often members drop. The defaults fit a run of about 10 s on two cores
/// that the app shares with the test.
/// </summary>
public sealed record NoLossOptions
{
    public int Rooms { get; init; } = 2;

    /// <summary>Checked members per room; each drops and resumes at random during the run.</summary>
    public int MembersPerRoom { get; init; } = 3;

    /// <summary>Senders per room, each on a connection of its own (not one of the checked members).</summary>
    public int SendersPerRoom { get; init; } = 2;

    /// <summary>How long senders create new messages; members drop and resume only during this window.</summary>
    public TimeSpan SendDuration { get; init; } = TimeSpan.FromSeconds(8);

    public double MessagesPerSecondPerSender { get; init; } = 20;

    /// <summary>A sender waits for acks once this many of its messages are unacknowledged.</summary>
    public int MaxInFlightPerSender { get; init; } = 4;

    /// <summary>A member stays connected for a random time between this and <see cref="MaxConnectedTime"/>, then drops.</summary>
    public TimeSpan MinConnectedTime { get; init; } = TimeSpan.FromMilliseconds(300);

    public TimeSpan MaxConnectedTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>After dropping on purpose, a member stays away up to this long before resuming.</summary>
    public TimeSpan MaxAwayTime { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Senders drop abruptly now and then too, so resends with the same client_id are exercised.</summary>
    public bool SendersDisconnect { get; init; } = true;

    /// <summary>When, from the start of sending, the fault callback starts.</summary>
    public TimeSpan FaultAfter { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a client keeps failing to connect before the run records it as a failure.</summary>
    public TimeSpan ReconnectBudget { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound on each settling step: senders' last acks, then members catching up with the stream.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A fault test that knows the server must give up on some resumes sets this: a
    /// <c>recovered:false</c> is then counted, not failed, and the member may skip ids there.
    /// </summary>
    public bool RecoveredFalseExpected { get; init; }

    /// <summary>Seeds every random choice of the run (drop times, away times, backoff jitter).</summary>
    public int Seed { get; init; } = SeedFromEnvironment();

    /// <summary>Room names start with this, followed by the room's number and a random suffix.</summary>
    public string RoomPrefix { get; init; } = "noloss";

    /// <summary>
    /// The rooms to use instead of generated names, e.g. one per cluster shard; overrides
    /// <see cref="Rooms"/> and <see cref="RoomPrefix"/>.
    /// </summary>
    public IReadOnlyList<string>? RoomNames { get; init; }

    /// <summary>
    /// <c>NOLOSS_SEED</c> when set, to replay the random choices of a failed run; else a fresh seed.
    /// Only the choices replay: thread timing on a shared machine does not.
    /// </summary>
    public static int SeedFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("NOLOSS_SEED"), out var seed) ? seed : Random.Shared.Next();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Rooms, 1, nameof(Rooms));
        ArgumentOutOfRangeException.ThrowIfLessThan(MembersPerRoom, 1, nameof(MembersPerRoom));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendersPerRoom, 1, nameof(SendersPerRoom));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MessagesPerSecondPerSender, 0, nameof(MessagesPerSecondPerSender));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightPerSender, 1, nameof(MaxInFlightPerSender));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SendDuration, TimeSpan.Zero, nameof(SendDuration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinConnectedTime, TimeSpan.Zero, nameof(MinConnectedTime));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectedTime, MinConnectedTime, nameof(MaxConnectedTime));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAwayTime, TimeSpan.Zero, nameof(MaxAwayTime));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FaultAfter, SendDuration, nameof(FaultAfter));
        ArgumentException.ThrowIfNullOrEmpty(RoomPrefix, nameof(RoomPrefix));
    }
}
