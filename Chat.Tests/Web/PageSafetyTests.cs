using Chat.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>What the server sends is text, never markup, and the pages forbid inline script.</summary>
[Collection(WebAppCollection.Name)]
public sealed class PageSafetyTests(WebAppFixture app)
{
    private static readonly string[] Payloads =
    [
        "<img src=x onerror=\"window.__xss='img'\">",
        "<script>window.__xss='script'</script>",
        "<svg onload=\"window.__xss='svg'\"></svg>",
        "\"><iframe src=\"javascript:window.top.__xss='iframe'\"></iframe>",
        "</p></li><b id=\"injected\">bold</b>",
        "javascript:window.__xss='link'",
    ];

    [Fact]
    public async Task Markup_in_messages_shows_as_literal_text_and_runs_nothing()
    {
        var room = TestRooms.New("web-xss");
        await using var alicePerson = await app.NewPersonAsync();
        await using var bobPerson = await app.NewPersonAsync();
        var alice = await ChatPage.OpenAsync(alicePerson);
        var bob = await ChatPage.OpenAsync(bobPerson);
        await alice.SignInAsync(RoomCalls.NewUserName("mallory"));
        await bob.SignInAsync(RoomCalls.NewUserName("victim"));
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        var payloads = Payloads;
        foreach (var payload in payloads)
        {
            await alice.SendAsync(payload);
        }

        // Live on Bob's page, and again from history on a page that joins afterwards.
        await Expect(bob.Messages).ToHaveCountAsync(payloads.Length);
        await using var latePerson = await app.NewPersonAsync();
        var late = await ChatPage.JoinedAsync(latePerson, RoomCalls.NewUserName("late"), room);

        foreach (var page in new[] { alice, bob, late })
        {
            await Expect(page.Page.Locator("#messages li.message .content")).ToHaveTextAsync(payloads);
            await Expect(page.Page.Locator("#messages img, #messages script, #messages svg, #messages iframe, #messages b, #injected")).ToHaveCountAsync(0);
            Assert.Null(await page.Page.EvaluateAsync<string?>("() => window.__xss ?? null"));
        }

        // The room directory's preview is text too.
        await Expect(late.Page.Locator($"#room-list a[data-room='{room}'] .preview")).ToContainTextAsync("window.__xss='link'");
        Assert.Null(await late.Page.EvaluateAsync<string?>("() => window.__xss ?? null"));
        await bob.Page.SaveAsync(app, "xss-as-text");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/rooms/lobby")]
    [InlineData("/js/app.js")]
    [InlineData("/css/app.css")]
    public async Task Every_page_and_asset_is_served_with_a_policy_that_forbids_inline_script(string path)
    {
        using var http = new HttpClient { BaseAddress = app.WebUri };
        using var response = await http.GetAsync(path);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task The_browser_enforces_the_policy_an_inline_script_added_to_the_page_does_not_run()
    {
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.OpenAsync(person);
        var ran = await page.Page.EvaluateAsync<bool>("""
            () => {
              const script = document.createElement('script');
              script.textContent = 'window.__inline = true';
              document.body.append(script);
              return window.__inline === true;
            }
            """);
        Assert.False(ran);
    }

    [Fact]
    public async Task Unknown_paths_are_404_not_the_app()
    {
        using var http = new HttpClient { BaseAddress = app.WebUri };
        using var response = await http.GetAsync("/nothing-here");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
