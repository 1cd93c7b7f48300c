namespace Chat.Tests.Infrastructure;

/// <summary>
/// An app of its own for tests that stop, kill or freeze resources. Each such test puts the app
/// back as it found it (Redis answering, two replicas), so they share one start-up.
/// </summary>
public sealed class FaultAppFixture : ChatAppFixture;

[CollectionDefinition(Name)]
public sealed class FaultAppCollection : ICollectionFixture<FaultAppFixture>
{
    public const string Name = "chat app for faults";
}
