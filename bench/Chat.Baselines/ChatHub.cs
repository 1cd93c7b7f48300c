using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Baselines;

/// <summary>The SignalR baseline's hub: join a room's group, send to it.</summary>
internal sealed class ChatHub : Hub
{
    private const string UsernameItem = "username";

    // Process-wide, so ids are unique on one server only; nothing in this baseline needs more.
    private static long _lastId;

    public override Task OnConnectedAsync()
    {
        // Read once per connection rather than parsing the query string on every send.
        var username = Context.GetHttpContext()?.Request.Query["username"].ToString();
        Context.Items[UsernameItem] = string.IsNullOrEmpty(username) ? "anon" : username;
        return Task.CompletedTask;
    }

    public Task Join(string room) => Groups.AddToGroupAsync(Context.ConnectionId, room);

    /// <summary>Sends to the room's group; the completion, carrying the id, is the sender's ack.</summary>
    public async Task<string> Send(string room, string content, string? clientId)
    {
        var id = Interlocked.Increment(ref _lastId).ToString(CultureInfo.InvariantCulture);
        var message = new HubMessage(
            id,
            room,
            (string)Context.Items[UsernameItem]!,
            content,
            DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            clientId);
        await Clients.Group(room).SendAsync("message", message);
        return id;
    }
}

/// <summary>The message object, with Chat.Api's field names.</summary>
internal sealed record HubMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("room_id")] string RoomId,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("content")] string Content,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("client_id")] string? ClientId);
