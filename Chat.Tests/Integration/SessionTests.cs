using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>Guest sessions: reserved names, refresh, sign-out and renewal on an open socket (docs/security.md).</summary>
[Collection(ChatAppCollection.Name)]
public sealed class SessionTests(ChatAppFixture app)
{
    [Fact]
    public async Task A_name_in_use_is_409_case_insensitively()
    {
        var name = UniqueName("Taken");
        await app.SignInAsync(name);

        using var response = await app.Http.PostAsJsonAsync("/api/auth/guest", new { username = name.ToUpperInvariant() });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("username", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["field"]);
    }

    [Fact]
    public async Task The_holder_may_open_several_sockets_with_one_token()
    {
        var room = TestRooms.New("tabs");
        var token = (string)(await app.SignInAsync(UniqueName("tabs")))["access_token"]!;
        await using var first = await ChatClient.ConnectAsync(app.ApiUri, room, token);
        await using var second = await ChatClient.ConnectAsync(app.ApiUri, room, token);
        await first.ReceiveHistoryAsync();
        await second.ReceiveHistoryAsync();

        var id = await first.SendMessageAsync("from one tab");

        Assert.Equal(id, (string?)(await second.ReceiveUntilAsync(f => ChatClient.Type(f) == "message"))["message"]!["id"]);
    }

    [Fact]
    public async Task Refresh_returns_a_fresh_token_for_the_same_subject()
    {
        var name = UniqueName("refresher");
        var signIn = await app.SignInAsync(name);

        using var response = await app.Http.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = (string)signIn["refresh_token"]! });
        var refreshed = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(name, (string?)refreshed["username"]);
        Assert.NotEqual((string?)signIn["access_token"], (string?)refreshed["access_token"]);
        Assert.Equal(Subject((string)signIn["access_token"]!), Subject((string)refreshed["access_token"]!));
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, TestRooms.New("refreshed"), (string)refreshed["access_token"]!);
        Assert.Equal("messages", ChatClient.Type((await client.ReceiveHistoryAsync())));
    }

    [Theory]
    [InlineData("nobody:secret")]
    [InlineData("no-separator")]
    [InlineData("")]
    public async Task A_wrong_refresh_token_is_refused(string refreshToken)
    {
        var name = UniqueName("wrong");
        await app.SignInAsync(name);
        using var response = await app.Http.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = refreshToken.Replace("nobody", name.ToLowerInvariant(), StringComparison.Ordinal) });

        Assert.Equal(refreshToken == "" ? HttpStatusCode.BadRequest : HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Logout_refuses_the_sessions_tokens_closes_its_sockets_on_every_replica_and_frees_the_name()
    {
        var name = UniqueName("leaver");
        var signIn = await app.SignInAsync(name);
        var token = (string)signIn["access_token"]!;
        var room = TestRooms.New("logout");
        var (onFirst, onSecond) = await ChatAppFixture.ConnectToBothReplicasAsync(() => ChatClient.ConnectAsync(app.ApiUri, room, token));
        await onFirst.ReceiveHistoryAsync();
        await onSecond.ReceiveHistoryAsync();
        await using (onFirst)
        await using (onSecond)
        {
            using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
            logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await app.Http.SendAsync(logout);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await onFirst.ReceiveCloseAsync());
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await onSecond.ReceiveCloseAsync());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, room), token));
        using (var history = new HttpRequestMessage(HttpMethod.Get, $"/api/rooms/{room}/messages"))
        {
            history.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var refused = await app.Http.SendAsync(history);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var refresh = await app.Http.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = (string)signIn["refresh_token"]! });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);

        var again = await app.SignInAsync(name);
        Assert.NotEqual(Subject(token), Subject((string)again["access_token"]!));
    }

    [Fact]
    public async Task An_auth_frame_with_a_fresh_token_for_the_same_user_is_answered_with_its_expiry()
    {
        var signIn = await app.SignInAsync(UniqueName("renewer"));
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, TestRooms.New("renew"), (string)signIn["access_token"]!);
        await client.ReceiveHistoryAsync();
        using var response = await app.Http.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = (string)signIn["refresh_token"]! });
        var fresh = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;

        await client.SendAsync(new { type = "auth", access_token = fresh });
        var answer = await client.ReceiveUntilAsync(f => ChatClient.Type(f) is "auth" or "error");

        Assert.Equal("auth", ChatClient.Type(answer));
        Assert.True(DateTimeOffset.Parse((string)answer["expires_at"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(30));
        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", ChatClient.Type(await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "pong")));
    }

    [Theory]
    [InlineData("another user's token")]
    [InlineData("not a token")]
    public async Task An_auth_frame_with_an_unacceptable_token_is_invalid_token_then_1008(string kind)
    {
        var token = (string)(await app.SignInAsync(UniqueName("renewer")))["access_token"]!;
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, TestRooms.New("renew-bad"), token);
        await client.ReceiveHistoryAsync();
        var other = kind == "not a token" ? "eyJhbGciOi.garbage.x" : (string)(await app.SignInAsync(UniqueName("other")))["access_token"]!;

        await client.SendAsync(new { type = "auth", access_token = other });
        var error = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "error");

        Assert.Equal("invalid_token", (string?)error["code"]);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task A_socket_whose_token_expires_without_renewal_is_closed_with_1008()
    {
        // A real session, and a token for it that expires in three seconds.
        var (subject, session, name) = TestTokens.Claims((string)(await app.SignInAsync(UniqueName("expiring")))["access_token"]!);
        var shortLived = TestTokens.Guest(subject, name, session, expires: DateTime.UtcNow.AddSeconds(3));
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, TestRooms.New("expiry"), shortLived);
        await client.ReceiveHistoryAsync();

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task A_renewal_before_expiry_keeps_the_socket_open_past_the_first_tokens_expiry()
    {
        var signIn = await app.SignInAsync(UniqueName("renewing"));
        var (subject, session, name) = TestTokens.Claims((string)signIn["access_token"]!);
        var expires = DateTime.UtcNow.AddSeconds(3);
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, TestRooms.New("expiry"), TestTokens.Guest(subject, name, session, expires: expires));
        await client.ReceiveHistoryAsync();

        await client.SendAsync(new { type = "auth", access_token = (string)signIn["access_token"]! });
        Assert.Equal("auth", ChatClient.Type(await client.ReceiveUntilAsync(f => ChatClient.Type(f) is "auth" or "error")));

        // Well past the first token's expiry (plus the once-a-second sweep), the socket still answers.
        while (DateTime.UtcNow < expires.AddSeconds(2))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", ChatClient.Type(await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "pong")));
    }

    private static string Subject(string token) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Subject;

    private static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];
}
