using System.Net;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/security.md, signing keys rotate: tokens carry a kid, and the API accepts the current key
/// and Auth:PreviousSigningKey (set in the tight-limits app), so a rotation signs nobody out.
/// </summary>
[Collection(LimitsAppCollection.Name)]
public sealed class KeyRotationTests(LimitsAppFixture app)
{
    [Fact]
    public async Task Issued_tokens_name_the_current_key()
    {
        var token = (string)(await app.SignInAsync("kid-" + Guid.NewGuid().ToString("N")[..8]))["access_token"]!;

        Assert.Equal(Chat.Api.Identity.SigningKeys.KeyId(TestTokens.SigningKey), new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Kid);
    }

    [Fact]
    public async Task A_token_signed_with_the_previous_key_is_still_accepted_and_one_with_an_unknown_key_is_not()
    {
        var (subject, session, name) = TestTokens.Claims((string)(await app.SignInAsync("rotated-" + Guid.NewGuid().ToString("N")[..8]))["access_token"]!);
        var room = TestRooms.New("rotation");

        await using var client = await ChatClient.ConnectAsync(app.ApiUri, room, TestTokens.Guest(subject, name, session, key: LimitsAppFixture.PreviousSigningKey));
        Assert.Equal("messages", ChatClient.Type(await client.ReceiveHistoryAsync()));
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, room), TestTokens.Guest(subject, name, session, key: "a-key-nobody-holds-0123456789-abcdefghijklmnop")));
    }
}
