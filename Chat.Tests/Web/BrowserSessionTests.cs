using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// The guest session in the browser: shared by all tabs, kept across reloads, renewed before it
/// expires (open sockets included), released on sign-out; and every room has an address.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class BrowserSessionTests(WebAppFixture app)
{

    [Fact]
    public async Task A_room_address_opens_that_room_after_sign_in_and_a_reload_stays_there()
    {
        var room = TestRooms.New("web-address");
        var name = RoomCalls.NewUserName("dora");
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.OpenAsync(person, $"/rooms/{room}");
        await Expect(page.Page.GetByLabel("Name", new() { Exact = true })).ToBeVisibleAsync();
        await page.SignInAsync(name);
        await page.WaitLiveAsync();
        await Expect(page.Page.Locator("#room-title")).ToHaveTextAsync(room);
        await page.SendAsync("still here?");
        await Expect(page.Messages).ToHaveCountAsync(1);

        await page.Page.ReloadAsync();
        await page.WaitLiveAsync();
        Assert.EndsWith($"/rooms/{room}", page.Page.Url, StringComparison.Ordinal);
        await Expect(page.Page.Locator("#me-name")).ToHaveTextAsync(name);
        await Expect(page.Messages.Locator(".content")).ToHaveTextAsync(["still here?"]);

        // Back goes to the previous room's address and opens it.
        var other = TestRooms.New("web-address");
        await page.JoinAsync(other);
        Assert.EndsWith($"/rooms/{other}", page.Page.Url, StringComparison.Ordinal);
        await page.Page.GoBackAsync();
        await Expect(page.Page.Locator("#room-title")).ToHaveTextAsync(room);
        await page.WaitLiveAsync();
    }

    [Fact]
    public async Task Tabs_share_one_session_and_signing_out_in_one_signs_out_all_and_frees_the_name()
    {
        var room = TestRooms.New("web-tabs");
        var name = RoomCalls.NewUserName("erin");
        await using var person = await app.NewPersonAsync();
        var first = await ChatPage.JoinedAsync(person, name, room);

        // A second tab is already signed in, as the same user: one name, one presence entry.
        var second = await ChatPage.OpenAsync(person, $"/rooms/{room}");
        await second.WaitLiveAsync();
        await Expect(second.Page.Locator("#me-name")).ToHaveTextAsync(name);
        await Expect(second.Presence).ToHaveTextAsync([name]);

        await first.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(first.Page.GetByLabel("Name", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(second.Page.GetByLabel("Name", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(second.Page.Locator("html[data-connection-state='live']")).ToHaveCountAsync(0);

        // The server let the name go: somebody else can take it now.
        await using var stranger = await app.NewPersonAsync();
        var third = await ChatPage.OpenAsync(stranger);
        await third.SignInAsync(name);
    }

    [Fact]
    public async Task A_token_near_its_expiry_is_renewed_and_handed_to_the_open_socket()
    {
        var room = TestRooms.New("web-renew");
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.OpenAsync(person);
        var sent = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Page.WebSocket += (_, socket) =>
        {
            socket.FrameSent += (_, frame) => sent.Enqueue(frame.Text ?? "");
            socket.FrameReceived += (_, frame) => received.Enqueue(frame.Text ?? "");
        };
        await page.SignInAsync(RoomCalls.NewUserName("fay"));
        await page.JoinAsync(room);
        var before = await StoredSessionAsync(page.Page);

        // Another tab of the same browser finds the stored token about to expire (as an hour
        // later would): the page renews it through /api/auth/refresh and sends it on its socket.
        var other = await person.NewPageAsync();
        await other.GotoAsync("/");
        await other.EvaluateAsync("""
            () => {
              const session = JSON.parse(localStorage.getItem('chat.session'));
              session.expires_at = Date.now() + 5000;
              localStorage.setItem('chat.session', JSON.stringify(session));
            }
            """);

        await WaitUntilAsync(() => sent.Any(f => f.Contains("\"type\":\"auth\"", StringComparison.Ordinal)), "the page's auth frame");
        await WaitUntilAsync(() => received.Any(f => f.Contains("\"type\":\"auth\"", StringComparison.Ordinal) && f.Contains("expires_at", StringComparison.Ordinal)), "the server's auth answer");
        var after = await StoredSessionAsync(page.Page);
        Assert.NotEqual((string)before["access_token"]!, (string)after["access_token"]!);
        Assert.True((long)after["expires_at"]! > DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeMilliseconds());
        var auth = JsonNode.Parse(sent.First(f => f.Contains("\"type\":\"auth\"", StringComparison.Ordinal)))!;
        Assert.Equal((string)after["access_token"]!, (string)auth["access_token"]!);

        // The socket lives on with the new token: a message still goes through.
        await page.SendAsync("after renewal");
        await Expect(page.Messages).ToHaveCountAsync(1);
        await page.WaitLiveAsync();
    }

    private static async Task<JsonObject> StoredSessionAsync(IPage page) =>
        JsonNode.Parse(await page.EvaluateAsync<string>("() => localStorage.getItem('chat.session')"))!.AsObject();

    private static async Task WaitUntilAsync(Func<bool> condition, string awaited)
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out waiting for {awaited}.");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
