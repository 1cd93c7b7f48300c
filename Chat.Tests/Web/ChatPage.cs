using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>
/// The web app as a person uses it, by the names a screen reader would announce ("Name",
/// "Message", "Sign in"), so the tests also hold the app to its accessible names.
/// </summary>
internal sealed class ChatPage(IPage page)
{
    /// <summary>Records every value data-connection-state takes, from the first script on, since "reconnecting" can last milliseconds.</summary>
    private const string RecordConnectionStates = """
        window.__connectionStates = [];
        new MutationObserver(() => {
          const state = document.documentElement && document.documentElement.dataset.connectionState;
          if (state && window.__connectionStates.at(-1) !== state) window.__connectionStates.push(state);
        }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-connection-state'] });
        """;

    public IPage Page { get; } = page;

    public ILocator Messages => Page.Locator("#messages li.message[data-id]");

    public ILocator Presence => Page.Locator("#presence li");

    public ILocator Typing => Page.Locator("#typing");

    public ILocator Composer => Page.GetByLabel("Message", new() { Exact = true });

    /// <summary>Opens <paramref name="path"/> in a new tab of <paramref name="person"/>, recording connection states.</summary>
    public static async Task<ChatPage> OpenAsync(IBrowserContext person, string path = "/")
    {
        var page = await person.NewPageAsync();
        await page.AddInitScriptAsync(RecordConnectionStates);
        await page.GotoAsync(path);
        return new ChatPage(page);
    }

    /// <summary>A new tab of <paramref name="person"/>, signed in as <paramref name="name"/> and live in <paramref name="room"/>.</summary>
    public static async Task<ChatPage> JoinedAsync(IBrowserContext person, string name, string room)
    {
        var page = await OpenAsync(person);
        await page.SignInAsync(name);
        await page.JoinAsync(room);
        return page;
    }

    public async Task SignInAsync(string name)
    {
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.Locator("#me-name")).ToHaveTextAsync(name);
    }

    /// <summary>Joins (or creates) a room through the rooms form and waits until it is live.</summary>
    public async Task JoinAsync(string room)
    {
        await Page.GetByLabel("Room", new() { Exact = true }).FillAsync(room);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Join or create" }).ClickAsync();
        await WaitLiveAsync();
        await Expect(Page.Locator("#room-title")).ToHaveTextAsync(room);
    }

    public Task WaitLiveAsync() => Expect(Page.Locator("html[data-connection-state='live']")).ToHaveCountAsync(1);

    /// <summary>Types into the composer and presses Enter, as a person would.</summary>
    public async Task SendAsync(string text)
    {
        await Composer.FillAsync(text);
        await Composer.PressAsync("Enter");
    }

    public async Task<string> InstanceAsync() => (await Page.Locator("html").GetAttributeAsync("data-instance"))!;

    public async Task<IReadOnlyList<string>> ConnectionStatesAsync() =>
        await Page.EvaluateAsync<string[]>("() => window.__connectionStates");

    public async Task<IReadOnlyList<string>> MessageIdsAsync() =>
        await Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#messages li.message[data-id]')].map(li => li.dataset.id)");
}
