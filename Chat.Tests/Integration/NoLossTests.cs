using Chat.Tests.Infrastructure;
using Chat.Tests.Infrastructure.NoLoss;
using Xunit.Abstractions;

namespace Chat.Tests.Integration;

/// <summary>
/// The no-loss promise under churn: per room, every acked message reaches every member exactly
/// once, in stream order, however often members drop and resume. Fault tests run the same
/// check with a fault callback.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class NoLossTests(ChatAppFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_member_receives_every_acked_message_once_in_stream_order_across_random_reconnects()
    {
        var options = new NoLossOptions
        {
            Rooms = 2,
            MembersPerRoom = 3,
            SendersPerRoom = 2,
            SendDuration = TimeSpan.FromSeconds(8),
            MessagesPerSecondPerSender = 20,
        };
        var run = new NoLossRun(app.ApiUri, (username, _) => app.GetTokenAsync(username), app.Redis, options);

        var report = await run.RunAsync();

        output.WriteLine(report.ToString());
        report.AssertClean();
        // A run that sent little or never dropped anyone would pass without proving anything.
        Assert.True(report.Acked >= options.Rooms * options.SendersPerRoom * 20, $"Only {report.Acked} messages were acked. {report}");
        Assert.True(report.MemberReconnects >= options.Rooms * options.MembersPerRoom, $"Members resumed only {report.MemberReconnects} times. {report}");
    }
}
