using Chat.Tests.Infrastructure;
using Chat.Tests.Infrastructure.NoLoss;
using Xunit.Abstractions;

namespace Chat.Tests.Integration;

/// <summary>The no-loss check of NoLossTests, on the three-master Redis Cluster with a room on every shard.</summary>
[Collection(ClusterAppCollection.Name)]
public sealed class ClusterNoLossTests(ClusterAppFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_member_receives_every_acked_message_once_in_stream_order_with_rooms_on_all_three_shards()
    {
        var rooms = ClusterShards.RoomPerMaster(app.Redis, "noloss-shard");
        Assert.Equal(3, rooms.Select(r => r.Master).Distinct().Count());
        var options = new NoLossOptions
        {
            RoomNames = [.. rooms.Select(r => r.Room)],
            MembersPerRoom = 2,
            SendersPerRoom = 1,
            SendDuration = TimeSpan.FromSeconds(6),
            MessagesPerSecondPerSender = 20,
        };
        var run = new NoLossRun(app.ApiUri, (username, _) => app.GetTokenAsync(username), app.Redis, options);

        var report = await run.RunAsync();

        output.WriteLine(report.ToString());
        report.AssertClean();
        Assert.True(report.Acked >= rooms.Count * 20, $"Only {report.Acked} messages were acked. {report}");
        Assert.True(report.MemberReconnects >= rooms.Count * options.MembersPerRoom, $"Members resumed only {report.MemberReconnects} times. {report}");
    }
}
