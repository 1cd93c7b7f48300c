using Chat.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chat.Tests.Web;

/// <summary>Two people in two browser profiles: sign-in, a shared room, messages, presence and typing.</summary>
[Collection(WebAppCollection.Name)]
public sealed class ConversationTests(WebAppFixture app)
{

    [Fact]
    public async Task Two_people_see_each_others_messages_presence_and_typing()
    {
        var room = TestRooms.New("web-talk");
        var (aliceName, bobName) = (RoomCalls.NewUserName("alice"), RoomCalls.NewUserName("bob"));
        await using var alicePerson = await app.NewPersonAsync();
        await using var bobPerson = await app.NewPersonAsync();
        var alice = await ChatPage.OpenAsync(alicePerson);
        var bob = await ChatPage.OpenAsync(bobPerson);
        await alice.SignInAsync(aliceName);
        await bob.SignInAsync(bobName);
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        // Each sees both names online.
        await Expect(alice.Presence).ToHaveTextAsync([aliceName, bobName]);
        await Expect(bob.Presence).ToHaveTextAsync([aliceName, bobName]);

        // Alice types: Bob is told, Alice is not told about herself.
        await alice.Composer.PressSequentiallyAsync("hel");
        await Expect(bob.Typing).ToHaveTextAsync($"{aliceName} is typing…");
        await Expect(alice.Typing).ToHaveTextAsync("");
        await alice.Page.SaveAsync(app, "typing-alice");
        await bob.Page.SaveAsync(app, "typing-bob");

        await alice.SendAsync("hello bob");
        await Expect(bob.Messages.Last.Locator(".content")).ToHaveTextAsync("hello bob");
        await Expect(bob.Typing).ToHaveTextAsync("");
        await bob.SendAsync("hi alice\nsecond line");
        await Expect(alice.Messages.Last.Locator(".content")).ToHaveTextAsync("hi alice\nsecond line");

        // Both lists hold exactly the room's stream, in order; the sender's own copy is confirmed (it has its id).
        var stream = await app.ReadStreamIdsAsync(room);
        Assert.Equal(2, stream.Count);
        await Expect(alice.Messages).ToHaveCountAsync(2);
        Assert.Equal(stream, await alice.MessageIdsAsync());
        Assert.Equal(stream, await bob.MessageIdsAsync());
        await Expect(alice.Page.Locator("#messages li.pending")).ToHaveCountAsync(0);
        await alice.Page.SaveAsync(app, "conversation");

        // Bob leaves the room: Alice's list follows.
        await bob.Page.CloseAsync();
        await Expect(alice.Presence).ToHaveTextAsync([aliceName]);
    }
}
