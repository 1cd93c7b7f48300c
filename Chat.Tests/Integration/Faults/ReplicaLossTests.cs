using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration.Faults;

/// <summary>
/// docs/guarantees.md, "Replica loss": a killed replica drops only its own sockets; their clients
/// reconnect to the other one and resume with nothing lost or doubled.
/// </summary>
[Collection(FaultAppCollection.Name)]
public sealed class ReplicaLossTests(FaultAppFixture app)
{
    [Fact]
    public async Task A_killed_replica_drops_only_its_sockets_and_its_members_resume_on_the_other_without_loss()
    {
        var room = TestRooms.New("replica-kill");
        var (doomed, survivor) = await app.ConnectToBothReplicasAsync(room, "alice");
        await using var _ = doomed;
        await using var __ = survivor;
        var epoch = (string)(await doomed.ReceiveHistoryAsync())["epoch"]!;
        await survivor.ReceiveHistoryAsync();
        await using var sender = await app.ConnectToReplicaAsync(room, "sender", survivor.Instance);
        await sender.ReceiveHistoryAsync();

        for (var i = 0; i < 10; i++)
        {
            await sender.SendMessageAsync($"before {i}");
        }

        await doomed.ReceiveMessagesUntilAsync(5);
        try
        {
            await AppResources.KillAsync(app.App, doomed.Instance);

            // The doomed socket breaks (no close frame: the process is gone) ...
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                while (await doomed.ReceiveAsync() is not null)
                {
                }

                throw new WebSocketException("closed");
            });

            // ... while the survivor's room goes on.
            for (var i = 0; i < 10; i++)
            {
                await sender.SendMessageAsync($"after {i}");
            }

            var stream = await app.ReadStreamIdsAsync(room);
            await using var resumed = await ChatClient.ConnectAsync(
                app.ApiUri, room, await app.GetTokenAsync("alice"), since: doomed.ReceivedIds[^1], epoch: epoch);
            Assert.Equal(survivor.Instance, resumed.Instance);
            var first = await resumed.ReceiveHistoryAsync();
            Assert.True((bool)first["recovered"]!);

            var seen = doomed.ReceivedIds.Concat(first["messages"]!.AsArray().Select(m => (string)m!["id"]!)).ToList();
            Assert.Equal(stream, seen);
            await survivor.ReceiveMessagesUntilAsync(stream.Count);
            Assert.Equal(stream, survivor.ReceivedIds);
        }
        finally
        {
            await AppResources.StartAsync(app.App, doomed.Instance);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("chat-api").WaitAsync(TestTimeouts.Startup);
        }
    }
}
