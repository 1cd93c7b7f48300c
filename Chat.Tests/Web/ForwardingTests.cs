using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Web;

/// <summary>
/// The frontend forwards /api and /ws to chat-api through service discovery; the API believes its
/// X-Forwarded-For (and only its), and the frontend's telemetry keeps tokens out as the API's does.
/// </summary>
[Collection(WebAppCollection.Name)]
public sealed class ForwardingTests(WebAppFixture app)
{
    [Fact]
    public async Task A_chat_socket_through_the_frontend_reaches_a_replica_and_its_token_appears_in_no_log_or_span()
    {
        var room = TestRooms.New("web-forward");
        var token = await app.GetTokenAsync("web-forwarded");
        // As a browser does it: the token in the query, since a page cannot set headers on a socket.
        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(ChatClient.SocketUri(app.WebUri, room, token: token), CancellationToken.None).WaitAsync(TestTimeouts.Default);
            var buffer = new byte[64 * 1024];
            var first = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TestTimeouts.Default);
            Assert.Contains("\"instance\":\"chat-api", System.Text.Encoding.UTF8.GetString(buffer, 0, first.Count), StringComparison.Ordinal);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(TestTimeouts.Default);
        }

        // The socket's spans (the frontend's request and its forwarded request) are exported
        // once the socket closed, within the 1 s export interval.
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        while (!app.Collector.Contains("/ws/chat/" + room, "traces"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
        }

        var web = await AppResources.WaitForAsync(app.App, AppResources.Web, u => AppResources.State(u) == Aspire.Hosting.ApplicationModel.KnownResourceStates.Running);
        var log = await AppResources.LogsAsync(app.App, web.ResourceId);
        Assert.Contains("Now listening on", log, StringComparison.Ordinal); // Information lines are kept
        Assert.Contains("/ws/{**rest}", log, StringComparison.Ordinal); // and this request was logged
        Assert.DoesNotContain(token, log, StringComparison.Ordinal);
        Assert.False(app.Collector.Contains(token), "An exported span, log or metric of the frontend carried the access token.");
        Assert.False(app.Collector.Contains(token[(token.LastIndexOf('.') + 1)..]));
    }

    [Fact]
    public async Task The_api_counts_a_sign_in_through_the_frontend_at_the_browsers_address_not_at_one_it_claims()
    {
        // Straight to the frontend's own listener (not the orchestrator's proxy in front of it,
        // which would make every caller 127.0.0.1), from a second loopback address.
        var listener = await AppResources.OwnListenerAsync(app.App, AppResources.Web);
        using var handler = new SocketsHttpHandler { ConnectCallback = (context, cancel) => ConnectFromAsync(IPAddress.Parse("127.0.0.2"), context.DnsEndPoint.Port, cancel) };
        using var http = new HttpClient(handler) { BaseAddress = listener };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/guest") { Content = JsonContent.Create(new { username = RoomCalls.NewUserName("web-addr") }) };
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Chat-Proxy", "a-browser-guessing-the-secret-a-browser-guessing");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var db = app.Redis.GetDatabase();
        Assert.True(await db.KeyExistsAsync(UserKeys.TokensIssued("127.0.0.2")), "The API should count the sign-in at the browser's address, as the frontend forwarded it.");
        Assert.False(await db.KeyExistsAsync(UserKeys.TokensIssued("203.0.113.9")));
    }

    [Fact]
    public async Task The_api_ignores_forwarded_headers_from_anyone_without_the_frontends_secret()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/guest") { Content = JsonContent.Create(new { username = RoomCalls.NewUserName("web-spoof") }) };
        request.Headers.Add("X-Forwarded-For", "198.51.100.7");
        request.Headers.Add("X-Chat-Proxy", "not-the-secret-not-the-secret-not-the-secret-not");
        using var response = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await app.Redis.GetDatabase().KeyExistsAsync(UserKeys.TokensIssued("198.51.100.7")));
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress source, int port, CancellationToken cancel)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancel);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
