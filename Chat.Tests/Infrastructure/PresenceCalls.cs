using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Chat.Tests.Infrastructure;

/// <summary>Presence as the presence tests watch it: joins, leaves and snapshots, and a marker to sync on.</summary>
internal static class PresenceCalls
{
    public static string? Username(JsonObject frame) => (string?)frame["username"];

    public static bool IsEvent(JsonObject frame, string type, string username) =>
        ChatClient.Type(frame) == type && Username(frame) == username;

    /// <summary>The join's <c>presence</c> frame (after its history), as a list of names.</summary>
    public static async Task<List<string>> ReceiveSnapshotAsync(this ChatClient client)
    {
        var frame = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "presence", awaited: "the presence snapshot");
        return frame["users"]!.AsArray().Select(u => (string)u!).ToList();
    }

    /// <summary>
    /// Connects <paramref name="username"/> until the socket lands on a replica other than
    /// <paramref name="avoid"/>. Attempts that land there join and leave the room: watchers sync
    /// past them with <see cref="SettleAsync"/>.
    /// </summary>
    public static Task<ChatClient> ConnectAwayFromAsync(this ChatAppFixture app, string room, string username, string avoid) =>
        app.ConnectWhereAsync(room, username, c => c.Instance != avoid, $"a replica other than {avoid}");

    /// <summary>
    /// Syncs <paramref name="watcher"/> past every presence event published so far: a marker user
    /// joins, and the watcher reads until the marker's join. Events travel the room's channel in
    /// order and windows go out in order, so whatever was published before the marker has been
    /// received (or cancelled out) by then. Returns the frames read before the marker's join.
    /// </summary>
    public static async Task<List<JsonObject>> SettleAsync(this ChatAppFixture app, string room, ChatClient watcher)
    {
        var marker = RoomCalls.NewUserName("marker");
        await using var client = await app.ConnectAsync(room, marker);
        var seen = new List<JsonObject>();
        await watcher.ReceiveUntilAsync(f =>
        {
            if (IsEvent(f, "join", marker))
            {
                return true;
            }

            seen.Add(f);
            return false;
        }, awaited: $"the join of marker {marker}");
        return seen;
    }

    /// <summary>
    /// Waits until Redis counts <paramref name="sockets"/> sockets of the token's user in the room
    /// over all replicas (0: not online), read straight from the room's online hash.
    /// </summary>
    public static async Task WaitForSocketsOnlineAsync(this ChatAppFixture app, string room, string token, int sockets)
    {
        var subject = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Subject;
        var online = new Chat.Api.Storage.RoomKeys(room).Online;
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        while (true)
        {
            var value = (string?)await app.Redis.GetDatabase().HashGetAsync(online, subject);
            var count = value is null ? 0 : int.Parse(value.AsSpan(0, value.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            if (count == sockets)
            {
                return;
            }

            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Redis counts {count} sockets of {subject} in {room}, not {sockets}.");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary><c>GET /api/rooms/{room}/presence</c>.</summary>
    public static Task<HttpResponseMessage> GetPresenceAsync(this ChatAppFixture app, string token, string room) =>
        app.SendAsync(HttpMethod.Get, $"/api/rooms/{Uri.EscapeDataString(room)}/presence", token);

    /// <summary>The users <c>GET /api/rooms/{room}/presence</c> lists; fails the test unless it is 200.</summary>
    public static async Task<List<string>> OnlineAsync(this ChatAppFixture app, string token, string room)
    {
        using var response = await app.GetPresenceAsync(token, room);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return body["users"]!.AsArray().Select(u => (string)u!).ToList();
    }
}
