using Chat.Tests.Infrastructure;
using Chat.Tests.Infrastructure.NoLoss;
using Xunit.Abstractions;

namespace Chat.Tests.Integration.Faults;

/// <summary>The no-loss check while Redis drops every pub/sub connection, members churning all the while.</summary>
[Collection(FaultAppCollection.Name)]
public sealed class NoLossUnderFaultsTests(FaultAppFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_member_receives_every_acked_message_once_while_pubsub_connections_are_killed_and_members_reconnect()
    {
        var options = new NoLossOptions
        {
            Rooms = 2,
            MembersPerRoom = 3,
            SendersPerRoom = 2,
            SendDuration = TimeSpan.FromSeconds(8),
            MessagesPerSecondPerSender = 20,
            FaultAfter = TimeSpan.FromSeconds(2),
        };
        var run = new NoLossRun(app.ApiUri, (username, _) => app.GetTokenAsync(username), app.Redis, options);
        var server = app.Redis.GetServers().Single();

        var report = await run.RunAsync(async cancellationToken =>
        {
            for (var i = 0; i < 3; i++)
            {
                await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        });

        output.WriteLine(report.ToString());
        report.AssertClean();
        Assert.True(report.Acked >= options.Rooms * options.SendersPerRoom * 20, $"Only {report.Acked} messages were acked. {report}");
    }
}
