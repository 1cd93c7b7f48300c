using System.Net.WebSockets;
using Aspire.Hosting.ApplicationModel;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>An app of its own: these tests stop replicas.</summary>
public sealed class ShutdownAppFixture : ChatAppFixture;

[CollectionDefinition(Name)]
public sealed class ShutdownAppCollection : ICollectionFixture<ShutdownAppFixture>
{
    public const string Name = "chat app with replicas to stop";
}

[Collection(ShutdownAppCollection.Name)]
public sealed class GracefulShutdownTests(ShutdownAppFixture app)
{
    [Fact]
    public async Task A_stopping_replica_closes_its_sockets_with_1012_and_the_client_resumes_on_the_other_without_a_gap()
    {
        var room = TestRooms.New("shutdown");
        var (doomed, survivor) = await app.ConnectToBothReplicasAsync(room, "alice");
        await using var _ = doomed;
        await using var __ = survivor;
        await doomed.ReceiveHistoryAsync();
        await survivor.ReceiveHistoryAsync();
        var seen = await doomed.SendMessageAsync("before the restart");
        await doomed.ReceiveMessagesUntilAsync(1);

        var replica = await FindReplicaAsync(doomed.Instance);
        var stopping = app.App.ResourceCommands.ExecuteCommandAsync(replica, KnownResourceCommands.StopCommand);

        Assert.Equal((WebSocketCloseStatus)1012, await doomed.ReceiveCloseAsync());
        await stopping.WaitAsync(TestTimeouts.Startup);

        // Meanwhile the room goes on on the other replica.
        var during = await survivor.SendMessageAsync("while it was down");

        await using var resumed = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("alice"), since: seen);
        var recovered = await resumed.ReceiveAsync();
        Assert.NotNull(recovered);
        Assert.True((bool)recovered["recovered"]!);
        Assert.Equal(survivor.Instance, resumed.Instance);
        Assert.Equal([during], recovered["messages"]!.AsArray().Select(m => (string)m!["id"]!));
    }

    /// <summary>The orchestrator's id of the replica that calls itself <paramref name="instance"/>.</summary>
    private async Task<string> FindReplicaAsync(string instance)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        await foreach (var update in app.App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (update.Resource.Name == "chat-api" && update.ResourceId == instance)
            {
                return update.ResourceId;
            }
        }

        throw new InvalidOperationException($"No chat-api replica is called {instance}.");
    }
}
