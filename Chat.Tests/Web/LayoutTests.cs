using Chat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>The app with the keyboard alone, on a phone-sized screen, and in the dark theme.</summary>
[Collection(WebAppCollection.Name)]
public sealed class LayoutTests(WebAppFixture app)
{
    [Fact]
    public async Task Sign_in_join_and_send_with_the_keyboard_alone()
    {
        var room = TestRooms.New("web-keys");
        var name = RoomCalls.NewUserName("kay");
        await using var person = await app.NewPersonAsync();
        var page = await ChatPage.OpenAsync(person);
        var keyboard = page.Page.Keyboard;

        // The name field has the focus on arrival; Enter signs in.
        await keyboard.TypeAsync(name);
        await keyboard.PressAsync("Enter");
        await Expect(page.Page.Locator("#me-name")).ToHaveTextAsync(name);

        await TabToAsync(page.Page, "room-name");
        await keyboard.TypeAsync(room);
        await keyboard.PressAsync("Enter");
        await page.WaitLiveAsync();

        // Joining puts the focus in the composer; Enter sends, Shift+Enter is a new line.
        await keyboard.TypeAsync("first line");
        await keyboard.PressAsync("Shift+Enter");
        await keyboard.TypeAsync("second line");
        await keyboard.PressAsync("Enter");
        await Expect(page.Messages.Locator(".content")).ToHaveTextAsync(["first line\nsecond line"]);
        await page.Page.SaveAsync(app, "keyboard");
    }

    [Fact]
    public async Task On_a_phone_in_the_dark_theme_the_rooms_fold_away_and_the_conversation_fills_the_screen()
    {
        var room = TestRooms.New("web-phone");
        await using var person = await app.NewPersonAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            ColorScheme = ColorScheme.Dark,
            IsMobile = true,
            HasTouch = true,
        });
        var page = await ChatPage.OpenAsync(person);
        await page.SignInAsync(RoomCalls.NewUserName("pia"));
        await page.Page.SaveAsync(app, "phone-sign-in");

        // Rooms sit behind a button on a narrow screen.
        var rooms = page.Page.GetByRole(AriaRole.Button, new() { Name = "Rooms" });
        await Expect(page.Page.GetByLabel("Room", new() { Exact = true })).ToBeHiddenAsync();
        await rooms.ClickAsync();
        await Expect(rooms).ToHaveAttributeAsync("aria-expanded", "true");
        await page.JoinAsync(room);
        await Expect(page.Page.GetByLabel("Room", new() { Exact = true })).ToBeHiddenAsync();
        await page.SendAsync("from my phone");
        await Expect(page.Messages.Locator(".content")).ToHaveTextAsync(["from my phone"]);
        await Expect(page.Composer).ToBeInViewportAsync();

        // The dark palette follows the system setting; nothing scrolls sideways.
        var background = await page.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(21, 23, 27)", background);
        Assert.True(await page.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await page.Page.SaveAsync(app, "phone-dark");
    }

    private static async Task TabToAsync(IPage page, string id)
    {
        for (var i = 0; i < 15; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string?>("() => document.activeElement?.id") == id)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Fifteen Tab presses never reached #{id}.");
    }
}
