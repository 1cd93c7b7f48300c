using Chat.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>A room's history longer than the join's 50 messages loads as the reader scrolls up.</summary>
[Collection(WebAppCollection.Name)]
public sealed class HistoryScrollTests(WebAppFixture app)
{
    [Fact]
    public async Task Scrolling_up_loads_older_pages_until_the_whole_stream_is_shown_in_order()
    {
        var room = TestRooms.New("web-history");
        // Ten writers take turns, each within its burst of 20 under the real rate limit.
        for (var i = 0; i < 130; i += 13)
        {
            await using var writer = await app.ConnectAsync(room, $"web-historian-{i / 13}");
            await writer.ReceiveHistoryAsync();
            for (var j = i; j < i + 13; j++)
            {
                await writer.SendMessageAsync($"message {j}");
            }
        }

        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.JoinedAsync(person, RoomCalls.NewUserName("reader"), room);
        await Expect(page.Messages).ToHaveCountAsync(50);
        await Expect(page.Messages.Last.Locator(".content")).ToHaveTextAsync("message 129");

        // Each scroll to the top asks for the 50 before the oldest shown.
        foreach (var expected in new[] { 100, 130 })
        {
            await page.Page.Locator("#scroller").EvaluateAsync("s => s.scrollTop = 0");
            await Expect(page.Messages).ToHaveCountAsync(expected);
        }

        await Expect(page.Page.Locator("#history-state")).ToHaveTextAsync("This is the beginning of the room.");
        Assert.Equal(await app.ReadStreamIdsAsync(room), await page.MessageIdsAsync());
        await Expect(page.Messages.First.Locator(".content")).ToHaveTextAsync("message 0");
        await page.Page.SaveAsync(app, "history-loaded");
    }
}
