using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration.Faults;

/// <summary>
/// docs/guarantees.md, "Replica loss": a graceful stop finishes the appends in flight, acks them,
/// then closes its sockets with 1012; the clients resume on the other replica without a gap.
/// </summary>
[Collection(FaultAppCollection.Name)]
public sealed class GracefulShutdownTests(FaultAppFixture app)
{
    [Fact]
    public async Task A_stopping_replica_acks_the_append_in_flight_then_closes_with_1012_and_the_client_resumes_on_the_other()
    {
        var room = TestRooms.New("shutdown");
        var (doomed, survivor) = await app.ConnectToBothReplicasAsync(room, "alice");
        await using var _ = doomed;
        await using var __ = survivor;
        var epoch = (string)(await doomed.ReceiveHistoryAsync())["epoch"]!;
        await survivor.ReceiveHistoryAsync();
        await doomed.SendMessageAsync("before the stop");
        await doomed.ReceiveMessagesUntilAsync(1);

        // Freeze Redis so that the next append is surely in flight when the stop begins.
        var redis = await AppResources.ProcessIdAsync(app.App, AppResources.RedisServer);
        Task stopping;
        AppResources.Signal(redis, "STOP");
        try
        {
            await doomed.SendAsync(new { type = "message", content = "in flight", client_id = "in-flight" });
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            stopping = AppResources.StopAsync(app.App, doomed.Instance);
            await Task.Delay(TimeSpan.FromMilliseconds(700));
        }
        finally
        {
            AppResources.Signal(redis, "CONT");
        }

        try
        {
            var ack = await doomed.ReceiveUntilAsync(f => ChatClient.Type(f) == "ack");
            Assert.Equal("in-flight", (string?)ack["client_id"]);
            Assert.Equal((WebSocketCloseStatus)1012, await doomed.ReceiveCloseAsync());
            try
            {
                await stopping.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{doomed.Instance} did not stop. Its log:\n" + await AppResources.LogsAsync(app.App, doomed.Instance), ex);
            }

            // Meanwhile the room goes on on the other replica.
            var during = await survivor.SendMessageAsync("while it was down");

            await using var resumed = await ChatClient.ConnectAsync(
                app.ApiUri, room, await app.GetTokenAsync("alice"), since: (string)ack["id"]!, epoch: epoch);
            var recovered = await resumed.ReceiveHistoryAsync();
            Assert.True((bool)recovered["recovered"]!);
            Assert.Equal(survivor.Instance, resumed.Instance);
            var afterAck = recovered["messages"]!.AsArray().Select(m => (string)m!["id"]!).ToList();
            Assert.Equal([during], afterAck);
            Assert.Equal(await app.ReadStreamIdsAsync(room), [.. doomed.ReceivedIds.Union([(string)ack["id"]!]), during]);
        }
        finally
        {
            await AppResources.StartAsync(app.App, doomed.Instance);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("chat-api").WaitAsync(TestTimeouts.Startup);
        }
    }

    [Fact]
    public async Task A_sender_paced_by_flow_control_that_reads_nothing_does_not_hold_up_the_stop()
    {
        // Its receive loop waits, mid-frame, for its queue to drain, which it never does: the stop
        // must still close it (1012, then the close timeout aborts a socket that takes nothing)
        // rather than wait for the host's shutdown timeout.
        var room = TestRooms.New("shutdown-paced");
        var (doomed, survivor) = await app.ConnectToBothReplicasAsync(room, "alice");
        await using var _ = doomed;
        await using var __ = survivor;
        await doomed.ReceiveHistoryAsync();
        await survivor.ReceiveHistoryAsync();

        // As in SenderFlowControlTests: about 10 MB of echoes and acks, far past the 256 KiB queue.
        var content = new string('x', 3500);
        var writing = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 3000; i++)
                {
                    await doomed.SendAsync(new { type = "message", content, client_id = $"paced-{i}" });
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The stop cut it off.
            }
        });
        // Not a wait for something observable: the sender writes far more than the 128 KiB that
        // park its receive loop, and 3 s of writing without reading puts it there long before the stop.
        await Task.Delay(TimeSpan.FromSeconds(3));

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await AppResources.StopAsync(app.App, doomed.Instance);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"{doomed.Instance} took {stopwatch.Elapsed.TotalSeconds:0.#} s to stop");

            // Whatever it stored, the member on the other replica got, in order.
            var stored = await app.ReadStreamIdsAsync(room);
            await survivor.ReceiveMessagesUntilAsync(stored.Count);
            Assert.Equal(stored, survivor.ReceivedIds);
            await writing.WaitAsync(TestTimeouts.Default);
        }
        finally
        {
            await AppResources.StartAsync(app.App, doomed.Instance);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("chat-api").WaitAsync(TestTimeouts.Startup);
        }
    }
}
