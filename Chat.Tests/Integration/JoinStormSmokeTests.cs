using Chat.LoadTest;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// Keeps the generator's join-storm mode working against the real app: a small storm whose members
/// apply the presence frames as a client must. It asserts that every member's list ends with
/// everyone, never how fast: numbers belong in docs/benchmarks.md.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class JoinStormSmokeTests(ChatAppFixture app)
{
    [Fact]
    public async Task Thirty_members_joining_at_once_all_end_with_all_thirty_in_their_list()
    {
        var options = new LoadOptions
        {
            System = "chat",
            Url = app.ApiUri,
            JoinStorm = 30,
            StormConcurrency = 16,
            // The test app overflows a window past 20 changes, so the snapshot path runs too.
            PresenceMaxEvents = 20,
            StormTimeout = TimeSpan.FromSeconds(30),
            Drain = TimeSpan.FromSeconds(1),
        };

        using var log = new StringWriter();
        var result = await new JoinStormRun(options, log).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.ConnectErrors == 0, $"Connects failed:\n{log}");
        Assert.True(result.ClosedByServer == 0, $"The server closed {result.ClosedByServer} sockets:\n{log}");
        Assert.True(result.ConvergedMembers == 30, $"{result.ConvergedMembers} of 30 members saw everyone:\n{log}");
        Assert.True(result.SnapshotsMax >= 1);
    }
}
