using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/protocol.md, the chat socket: a browser page's Origin must be exactly one of
/// Security:AllowedOrigins (the AppHost passes http://localhost:5170), checked before the token.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class OriginTests(ChatAppFixture app)
{
    private const string Allowed = "http://localhost:5170";

    [Fact]
    public async Task A_page_from_the_allowed_origin_opens_a_chat_socket()
    {
        var token = await app.GetTokenAsync("alice");
        using var socket = NewSocket(Allowed, token);
        await socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, TestRooms.New("origin-ok")), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(WebSocketState.Open, socket.State);
        socket.Abort();
    }

    [Fact]
    public async Task A_client_that_sends_no_origin_opens_a_chat_socket()
    {
        var token = await app.GetTokenAsync("alice");
        using var socket = NewSocket(origin: null, token);
        await socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, TestRooms.New("origin-none")), CancellationToken.None).WaitAsync(TestTimeouts.Default);

        Assert.Equal(WebSocketState.Open, socket.State);
        socket.Abort();
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://localhost:5170.evil.example")]
    [InlineData("null")]
    [InlineData("http://localhost:5171")]
    [InlineData("https://localhost:5170")]
    public async Task A_foreign_origin_with_a_valid_token_is_403_on_the_handshake(string origin)
    {
        var token = await app.GetTokenAsync("alice");

        Assert.Equal(HttpStatusCode.Forbidden, await HandshakeStatusAsync(origin, token));
    }

    [Fact]
    public async Task A_foreign_origin_without_a_token_is_403_not_401()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await HandshakeStatusAsync("https://evil.example", token: null));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://localhost:5170.evil.example")]
    [InlineData("null")]
    [InlineData("http://localhost:5171")]
    [InlineData("https://localhost:5170")]
    public async Task A_foreign_origin_is_403_with_problem_details_on_a_guest_token_request(string origin)
    {
        using var response = await RequestGuestTokenAsync(origin);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Origin not allowed", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["title"]);
    }

    [Fact]
    public async Task The_allowed_origin_gets_a_guest_token()
    {
        using var response = await RequestGuestTokenAsync(Allowed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_get_that_is_not_an_upgrade_is_not_checked()
    {
        var token = await app.GetTokenAsync("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/rooms/{TestRooms.New("origin-get")}/messages");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.Http.SendAsync(request).WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpResponseMessage> RequestGuestTokenAsync(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/guest") { Content = JsonContent.Create(new { username = "origin-" + Guid.NewGuid().ToString("N")[..8] }) };
        request.Headers.Add("Origin", origin);
        return await app.Http.SendAsync(request).WaitAsync(TestTimeouts.Default);
    }

    private async Task<HttpStatusCode> HandshakeStatusAsync(string origin, string? token)
    {
        using var socket = NewSocket(origin, token);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, TestRooms.New("origin-refused")), CancellationToken.None).WaitAsync(TestTimeouts.Default));
        return socket.HttpStatusCode;
    }

    private static ClientWebSocket NewSocket(string? origin, string? token)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        return socket;
    }
}
