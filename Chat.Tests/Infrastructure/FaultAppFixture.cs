namespace Chat.Tests.Infrastructure;

/// <summary>
/// An app of its own for tests that stop, kill or freeze resources. Each such test puts the app
/// back as it found it (Redis answering, two replicas), so they share one start-up.
/// </summary>
public sealed class FaultAppFixture : ChatAppFixture
{
    /// <summary>The presence TTL here; a killed replica's users are reported gone within it plus a heartbeat.</summary>
    public static readonly TimeSpan PresenceTtl = TimeSpan.FromSeconds(4);

    private static readonly IReadOnlyDictionary<string, string> s_settings = WithApiSettings(new Dictionary<string, string>
    {
        // Short, so the replica-kill test sees the sweep within a test's patience.
        ["Presence__Ttl"] = "00:00:04",
        ["Presence__HeartbeatInterval"] = "00:00:01",
    });

    protected override IReadOnlyDictionary<string, string> ApiSettings => s_settings;
}

[CollectionDefinition(Name)]
public sealed class FaultAppCollection : ICollectionFixture<FaultAppFixture>
{
    public const string Name = "chat app for faults";
}
