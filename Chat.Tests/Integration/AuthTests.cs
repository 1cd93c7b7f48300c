using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

[Collection(ChatAppCollection.Name)]
public sealed class AuthTests(ChatAppFixture app)
{
    [Fact]
    public async Task A_guest_token_carries_the_chosen_name()
    {
        using var response = await app.Http.PostAsJsonAsync("/api/auth/guest", new { username = "Alice.B-1_x" });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", (string?)body!["token_type"]);
        Assert.Equal("Alice.B-1_x", (string?)body["username"]);
        Assert.True((int)body["expires_in"]! > 0);
        Assert.False(string.IsNullOrEmpty((string?)body["access_token"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("<script>")]
    [InlineData("thirty-three-characters-long-name")]
    [InlineData("émile")]
    public async Task An_invalid_username_is_400_with_problem_details(string username)
    {
        using var response = await app.Http.PostAsJsonAsync("/api/auth/guest", new { username });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{not json", "application/json")]
    [InlineData("[1,2]", "application/json")]
    public async Task A_malformed_guest_request_body_is_400_naming_the_body(string body, string mediaType)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, mediaType);
        using var response = await app.Http.PostAsync("/api/auth/guest", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("body", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["field"]);
    }

    [Fact]
    public async Task A_guest_request_that_is_not_json_is_415()
    {
        using var content = new StringContent("username=alice", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await app.Http.PostAsync("/api/auth/guest", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Connecting_without_a_token_is_401_before_the_upgrade()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, "lobby")));
    }

    [Fact]
    public async Task Connecting_with_a_forged_token_is_401()
    {
        var token = await app.GetTokenAsync("alice");
        var forged = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, "lobby", token: forged)));
    }

    [Fact]
    public async Task The_token_may_come_as_the_access_token_query_parameter()
    {
        var token = await app.GetTokenAsync("alice");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, "lobby", token: token), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(WebSocketState.Open, socket.State);
        socket.Abort();
    }

    [Theory]
    [InlineData("-starts-with-dash", null)]
    [InlineData("has space", null)]
    [InlineData("{braces}", null)]
    [InlineData("lobby", "not-an-id")]
    [InlineData("lobby", "12-")]
    public async Task A_bad_room_id_or_since_is_400(string room, string? since)
    {
        var token = await app.GetTokenAsync("alice");
        Assert.Equal(HttpStatusCode.BadRequest, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, room, since, token)));
    }

    [Fact]
    public async Task Different_tokens_in_the_header_and_the_query_are_401()
    {
        var alice = await app.GetTokenAsync("alice");
        var mallory = await app.GetTokenAsync("mallory");

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, "lobby", token: mallory), alice));
    }

    [Fact]
    public async Task The_same_token_in_the_header_and_the_query_is_accepted()
    {
        var token = await app.GetTokenAsync("alice");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, "lobby", token: token), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(WebSocketState.Open, socket.State);
        socket.Abort();
    }
}
