using Chat.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// The browser's side of "never lost or doubled": the API replica serving a page is killed while
/// another user keeps sending; the page says it is reconnecting, comes back live, resumes with
/// <c>since</c> and resends what was never acknowledged, and its list then equals the stream.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class ReconnectTests(WebAppFixture app)
{
    [Fact]
    public async Task A_page_whose_replica_is_killed_reconnects_and_then_shows_exactly_the_rooms_stream()
    {
        var room = TestRooms.New("web-kill");
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.JoinedAsync(person, RoomCalls.NewUserName("carol"), room);
        var instance = await page.InstanceAsync();

        // The sender sits on the other replica, so it keeps sending through the outage.
        await using var sender = await app.ConnectWhereAsync(room, "web-sender", c => c.Instance != instance, $"a replica other than {instance}");
        await sender.ReceiveHistoryAsync();
        using var stop = new CancellationTokenSource();
        var acked = 0;
        var sending = Task.Run(async () =>
        {
            var sent = 0;
            while (!stop.IsCancellationRequested)
            {
                await sender.SendMessageAsync($"tick {sent++}");
                Interlocked.Increment(ref acked);
                // Under the real rate limit (10/s), as a person typing fast would be.
                await Task.Delay(110, CancellationToken.None);
            }

            return sent;
        });

        try
        {
            await Expect(page.Messages.Nth(4)).ToBeAttachedAsync();
            await page.Page.SaveAsync(app, "live-before-kill");
            await AppResources.KillAsync(app.App, instance);

            // Written into a socket whose server just died: never acknowledged there, so the
            // page must send it again after it rejoins, with the same client_id.
            await page.SendAsync("written as the replica died");
            await WaitForStatesAsync(page, "reconnecting", "live");
            await page.SendAsync("written after reconnecting");
            await Expect(page.Page.Locator("#messages li.pending")).ToHaveCountAsync(0);
        }
        finally
        {
            await AppResources.StartAsync(app.App, instance);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync("chat-api").WaitAsync(TestTimeouts.Startup);
        }

        // More traffic after the restart (five more acked messages), then compare the page with
        // the stream in Redis.
        var afterRestart = Volatile.Read(ref acked) + 5;
        using (var deadline = new CancellationTokenSource(TestTimeouts.Default))
        {
            while (Volatile.Read(ref acked) < afterRestart)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        await stop.CancelAsync();
        var sent = await sending;
        var stream = await app.ReadStreamIdsAsync(room);
        Assert.Equal(sent + 2, stream.Count);
        await Expect(page.Messages).ToHaveCountAsync(stream.Count);
        Assert.Equal(stream, await page.MessageIdsAsync());
        var contents = await page.Page.Locator("#messages li.message .content").AllTextContentsAsync();
        Assert.Single(contents, c => c == "written as the replica died");
        Assert.Single(contents, c => c == "written after reconnecting");
        await page.Page.SaveAsync(app, "live-after-reconnect");
    }

    /// <summary>Waits until the recorded states contain <paramref name="first"/> and, later, <paramref name="then"/>.</summary>
    private static async Task WaitForStatesAsync(ChatPage page, string first, string then)
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        IReadOnlyList<string> states = [];
        while (!deadline.IsCancellationRequested)
        {
            states = await page.ConnectionStatesAsync();
            var at = states.ToList().LastIndexOf(first);
            if (at >= 0 && states.Skip(at + 1).Contains(then) && states[^1] == then)
            {
                return;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        throw new TimeoutException($"The page's connection states were [{string.Join(", ", states)}]; expected {first} and then {then}.");
    }
}
