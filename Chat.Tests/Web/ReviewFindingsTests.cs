using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// What a hostile review of the web app found, each kept fixed: the user's own messages stay in
/// the order written through rate limiting, a resume the server could not grant says so, a
/// session ended on the server signs the browser out, and tabs signing in at once end as one user.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class ReviewFindingsTests(WebAppFixture app)
{

    [Fact]
    public async Task Messages_written_faster_than_the_rate_limit_are_stored_and_shown_in_the_order_written()
    {
        var room = TestRooms.New("web-order");
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.OpenAsync(person);
        var refusals = 0;
        page.Page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
        {
            if (frame.Text?.Contains("\"rate_limited\"", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref refusals);
            }
        };
        await page.SignInAsync(RoomCalls.NewUserName("fast"));
        await page.JoinAsync(room);

        // 45 messages at once (a paste, a script): more than the burst of 20.
        var written = Enumerable.Range(0, 45).Select(i => $"m{i:00}").ToArray();
        await page.Page.EvaluateAsync("""
            (texts) => {
              const input = document.getElementById('composer-input');
              for (const text of texts) {
                input.value = text;
                document.getElementById('composer').requestSubmit();
              }
            }
            """, written);

        await Expect(page.Messages).ToHaveCountAsync(written.Length, new() { Timeout = 30_000 });
        await Expect(page.Messages.Locator(".content")).ToHaveTextAsync(written);
        Assert.Equal(await app.ReadStreamIdsAsync(room), await page.MessageIdsAsync());
        var stored = await app.Redis.GetDatabase().StreamRangeAsync(new RoomKeys(room).Messages, "-", "+");
        Assert.Equal(written, stored.Select(e => (string)e["c"]!));
        Assert.True(refusals > 0, "The server never refused a message, so the rate-limited path was not exercised.");
        await Expect(page.Page.Locator("#messages li.pending, #messages li.failed")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_resume_the_server_cannot_grant_restarts_the_list_from_the_stream_and_says_so()
    {
        var room = TestRooms.New("web-lost");
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.JoinedAsync(person, RoomCalls.NewUserName("nora"), room);
        await page.SendAsync("before the loss");
        await Expect(page.Messages).ToHaveCountAsync(1);

        // The stream is lost (a flush, an eviction): the next message starts a new incarnation,
        // the page's socket is closed with 1013, and its resume with the old epoch is refused.
        await app.Redis.GetDatabase().KeyDeleteAsync(new RoomKeys(room).Messages);
        await WriteAcrossAResetAsync(room, "after the loss");

        await Expect(page.Page.Locator("#room-notice")).ToContainTextAsync("could not be recovered");
        await Expect(page.Messages.Locator(".content")).ToHaveTextAsync(["after the loss"]);
        Assert.Equal(await app.ReadStreamIdsAsync(room), await page.MessageIdsAsync());
        await page.WaitLiveAsync();
    }

    /// <summary>
    /// Sends one message into a room whose stream was just lost. The writer's own socket may be
    /// closed with 1013 by the same reset before its ack, so it resends with the same client_id
    /// until acked; the server stores it once whatever happened to the first try.
    /// </summary>
    private async Task WriteAcrossAResetAsync(string room, string content)
    {
        var clientId = Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            await using var writer = await app.ConnectAsync(room, "web-after-loss");
            await writer.ReceiveHistoryAsync();
            try
            {
                await writer.SendMessageAsync(content, clientId);
                return;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                // Closed with 1013 before the ack: resume and send again.
            }
        }
    }

    [Fact]
    public async Task A_session_ended_on_the_server_signs_the_browser_out()
    {
        var room = TestRooms.New("web-ended");
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.JoinedAsync(person, RoomCalls.NewUserName("olga"), room);

        // Signed out elsewhere (another device, an admin, an idle expiry): the server closes the
        // socket with 1008, and the page finds the session gone.
        var stored = JsonNode.Parse(await page.Page.EvaluateAsync<string>("() => localStorage.getItem('chat.session')"))!;
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (string)stored["access_token"]!);
        using (var response = await app.Http.SendAsync(logout))
        {
            Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        }

        await Expect(page.Page.GetByLabel("Name", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.Page.Locator("#sign-in-error")).ToHaveTextAsync("Your session has ended. Sign in again.");
        Assert.Null(await page.Page.EvaluateAsync<string?>("() => localStorage.getItem('chat.session')"));
    }

    [Fact]
    public async Task Two_tabs_signing_in_at_once_end_as_one_user_and_leave_the_other_name_free()
    {
        var (first, second) = (RoomCalls.NewUserName("tab"), RoomCalls.NewUserName("tab"));
        await using var person = await app.NewPersonAsync();
        var one = await ChatPage.OpenAsync(person);
        var two = await ChatPage.OpenAsync(person);
        await one.Page.GetByLabel("Name", new() { Exact = true }).FillAsync(first);
        await two.Page.GetByLabel("Name", new() { Exact = true }).FillAsync(second);
        // Both forms submitted in the same moment (a click would wait until the second form is
        // visible, and by then the first sign-in has already reached the second tab).
        const string Submit = "() => document.getElementById('sign-in-form').requestSubmit()";
        await Task.WhenAll(one.Page.EvaluateAsync(Submit), two.Page.EvaluateAsync(Submit));

        await Expect(one.Page.Locator("#me-name")).Not.ToBeEmptyAsync();
        var signedInAs = await one.Page.Locator("#me-name").TextContentAsync();
        await Expect(two.Page.Locator("#me-name")).ToHaveTextAsync(signedInAs!);
        var other = signedInAs == first ? second : first;

        // Only one session was made: the other name is free for anybody.
        var answer = await app.SignInAsync(other);
        Assert.Equal(other, (string)answer["username"]!);
    }

    [Fact]
    public async Task An_address_that_is_not_a_room_name_says_so()
    {
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.OpenAsync(person, "/rooms/a/b");
        await page.SignInAsync(RoomCalls.NewUserName("path"));
        await Expect(page.Page.Locator("#room-notice")).ToHaveTextAsync("This is not a valid room name.");
        await Expect(page.Composer).ToBeDisabledAsync();
    }
}
