using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace Chat.Tests.Infrastructure;

/// <summary>The rooms REST API and refused handshakes, as the private-room and quota tests call them.</summary>
internal static class RoomCalls
{
    /// <summary>A guest name of its own for one test (≤ 32 characters), so memberships and quotas start empty.</summary>
    public static string NewUserName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary><c>POST /api/rooms</c> with <c>{"room_id":…,"private":…}</c>.</summary>
    public static Task<HttpResponseMessage> CreateRoomAsync(this ChatAppFixture app, string token, string roomId, bool isPrivate) =>
        app.SendAsync(HttpMethod.Post, "/api/rooms", token, JsonContent.Create(new { room_id = roomId, @private = isPrivate }));

    /// <summary>Creates a private room and fails the test unless it was created.</summary>
    public static async Task CreatePrivateRoomAsync(this ChatAppFixture app, string token, string roomId)
    {
        using var response = await app.CreateRoomAsync(token, roomId, isPrivate: true);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary><c>PUT /api/rooms/{room}/members/{username}</c>; returns the status.</summary>
    public static Task<HttpStatusCode> AddMemberAsync(this ChatAppFixture app, string token, string roomId, string username) =>
        app.StatusAsync(HttpMethod.Put, MemberPath(roomId, username), token);

    /// <summary><c>DELETE /api/rooms/{room}/members/{username}</c>; returns the status.</summary>
    public static Task<HttpStatusCode> RemoveMemberAsync(this ChatAppFixture app, string token, string roomId, string username) =>
        app.StatusAsync(HttpMethod.Delete, MemberPath(roomId, username), token);

    /// <summary><c>GET /api/rooms/{room}/messages</c>; returns the status.</summary>
    public static Task<HttpStatusCode> HistoryStatusAsync(this ChatAppFixture app, string token, string roomId) =>
        app.StatusAsync(HttpMethod.Get, $"/api/rooms/{Uri.EscapeDataString(roomId)}/messages", token);

    public static async Task<HttpResponseMessage> SendAsync(this ChatAppFixture app, HttpMethod method, string path, string token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await app.Http.SendAsync(request).WaitAsync(TestTimeouts.Default);
    }

    /// <summary>The ProblemDetails body of a refused request.</summary>
    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>A handshake that the server must refuse; returns the refused socket for its status and headers.</summary>
    public static async Task<ClientWebSocket> RefusedHandshakeAsync(this ChatAppFixture app, string roomId, string token, string? since = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, roomId, since), CancellationToken.None).WaitAsync(TestTimeouts.Default));
        return socket;
    }

    /// <summary>The status of a handshake that the server must refuse.</summary>
    public static async Task<HttpStatusCode> RefusedHandshakeStatusAsync(this ChatAppFixture app, string roomId, string token, string? since = null)
    {
        using var socket = await app.RefusedHandshakeAsync(roomId, token, since);
        return socket.HttpStatusCode;
    }

    private static async Task<HttpStatusCode> StatusAsync(this ChatAppFixture app, HttpMethod method, string path, string token)
    {
        using var response = await app.SendAsync(method, path, token);
        return response.StatusCode;
    }

    private static string MemberPath(string roomId, string username) =>
        $"/api/rooms/{Uri.EscapeDataString(roomId)}/members/{Uri.EscapeDataString(username)}";
}
