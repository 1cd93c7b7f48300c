using Chat.LoadTest;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// Keeps the load generator working against the real app: a few seconds, a few rooms. It asserts
/// what the generator counts (nothing lost, nothing doubled), never how fast: numbers belong in
/// docs/benchmarks.md.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class LoadGeneratorSmokeTests(ChatAppFixture app)
{
    [Fact]
    public async Task A_short_open_loop_run_delivers_every_acked_message_to_every_member_once()
    {
        var options = new LoadOptions
        {
            System = "chat",
            Url = app.ApiUri,
            Rooms = 3,
            Members = 4,
            Senders = 2,
            Rate = 20,
            Warmup = TimeSpan.FromSeconds(1),
            Duration = TimeSpan.FromSeconds(3),
            Drain = TimeSpan.FromSeconds(2),
        };

        using var log = new StringWriter();
        var result = await new LoadRun(options, log).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(result.Sent > 0);
        Assert.Equal(result.Sent, result.Acked);
        Assert.True(result.ClosedByServer == 0, $"The server closed {result.ClosedByServer} sockets:\n{log}");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(0, result.Errors);
        Assert.True(result.Delivered > 0);
        Assert.True(result.P99Ms > 0);
    }

    [Fact]
    public async Task A_short_closed_loop_run_keeps_its_window_and_loses_nothing()
    {
        var options = new LoadOptions
        {
            System = "chat",
            Url = app.ApiUri,
            // Unbounded speed with the test app's 64-frame outgoing queue would (rightly) close a
            // member that falls behind with 1013; one room and a small window stay well inside it.
            Rooms = 1,
            Members = 3,
            Senders = 1,
            Window = 2,
            Warmup = TimeSpan.FromSeconds(1),
            Duration = TimeSpan.FromSeconds(2),
            Drain = TimeSpan.FromSeconds(2),
        };

        using var log = new StringWriter();
        var result = await new LoadRun(options, log).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(result.Acked > 0);
        Assert.InRange(result.Sent - result.Acked, 0, 2);
        Assert.True(result.ClosedByServer == 0, $"The server closed {result.ClosedByServer} sockets:\n{log}");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicates);
    }
}
