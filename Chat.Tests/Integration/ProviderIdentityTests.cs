using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// An app that accepts an OpenID Connect provider's tokens (Auth:Authority, found by discovery
/// from a provider served by the test) and has guests switched off.
/// </summary>
public sealed class ProviderAppFixture : ChatAppFixture
{
    public OidcProvider Provider { get; } = new();

    protected override IReadOnlyDictionary<string, string> ApiSettings => WithApiSettings(new Dictionary<string, string>
    {
        ["Auth__Authority"] = Provider.Issuer,
        ["Auth__ProviderAudience"] = OidcProvider.Audience,
        // The test provider is plain http on loopback.
        ["Auth__RequireHttpsMetadata"] = "false",
        ["Auth__GuestsEnabled"] = "false",
    });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Provider.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ProviderAppCollection : ICollectionFixture<ProviderAppFixture>
{
    public const string Name = "chat app with an identity provider";
}

/// <summary>docs/security.md, external identity provider: standard JwtBearer validation and the claim mapping.</summary>
[Collection(ProviderAppCollection.Name)]
public sealed class ProviderIdentityTests(ProviderAppFixture app)
{
    [Fact]
    public async Task A_providers_user_chats_under_the_name_claim_with_a_subject_of_its_own()
    {
        var room = TestRooms.New("provider");
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, room, app.Provider.Token("user-1", name: "Zoë Müller"));
        await client.ReceiveHistoryAsync();

        await client.SendAsync(new { type = "message", content = "hello from the provider" });
        var echoed = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "message");

        Assert.Equal("Zoë Müller", (string?)echoed["message"]!["username"]);
    }

    [Fact]
    public async Task Without_a_name_claim_the_preferred_username_is_shown()
    {
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, TestRooms.New("provider"), app.Provider.Token("user-2", preferredUsername: "zoe@example.com"));
        await client.ReceiveHistoryAsync();

        await client.SendAsync(new { type = "message", content = "hi" });

        Assert.Equal("zoe@example.com", (string?)(await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "message"))["message"]!["username"]);
    }

    [Theory]
    [InlineData("wrong audience")]
    [InlineData("wrong issuer")]
    [InlineData("expired")]
    [InlineData("no name")]
    [InlineData("guest-shaped token")]
    public async Task A_token_the_provider_would_not_vouch_for_is_401(string kind)
    {
        var token = kind switch
        {
            "wrong audience" => app.Provider.Token("user-3", name: "x", audience: "someone-else"),
            "wrong issuer" => app.Provider.Token("user-3", name: "x", issuer: "https://evil.example"),
            "expired" => app.Provider.Token("user-3", name: "x", expires: DateTime.UtcNow.AddMinutes(-5)),
            "no name" => app.Provider.Token("user-3"),
            _ => TestTokens.Guest("g.aaaaaaaaaaaaaaaaaaaaaaaaaa", "guest", "session"),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, TestRooms.New("provider")), token));
    }

    [Fact]
    public async Task Guest_sign_in_is_403_when_guests_are_switched_off()
    {
        using var response = await app.Http.PostAsJsonAsync("/api/auth/guest", new { username = "guest" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Logout_refuses_the_users_earlier_provider_tokens_and_closes_their_sockets()
    {
        var token = app.Provider.Token("user-4", name: "Leaving User");
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, TestRooms.New("provider"), token);
        await client.ReceiveHistoryAsync();

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.Http.SendAsync(logout);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, TestRooms.New("provider")), token));
    }
}
