using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Chat.Tests.Infrastructure;

/// <summary><c>GET /api/rooms</c>, the rooms directory, as its tests call it.</summary>
internal static class DirectoryCalls
{
    /// <summary>More pages than the shared app's index can fill at the largest page size: a walk that needs more is a bug.</summary>
    private const int MaxPages = 2000;

    /// <summary>One page; fails the test unless it is 200.</summary>
    public static async Task<JsonObject> ListRoomsAsync(this ChatAppFixture app, string token, int? limit = null, string? cursor = null)
    {
        using var response = await app.SendAsync(HttpMethod.Get, DirectoryPath(limit, cursor), token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>
    /// Every room the user sees, page after page with the cursor, in listing order. The index is
    /// shared by every test's rooms, so tests look for theirs in it.
    /// </summary>
    public static async Task<List<JsonObject>> ListAllRoomsAsync(this ChatAppFixture app, string token, int limit = 100)
    {
        var rooms = new List<JsonObject>();
        string? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var body = await app.ListRoomsAsync(token, limit, cursor);
            var listed = body["rooms"]!.AsArray();
            Assert.True(listed.Count <= limit, $"A page of limit {limit} held {listed.Count} rooms.");
            rooms.AddRange(listed.Select(r => r!.AsObject()));
            cursor = (string?)body["next_cursor"];
            if (cursor is null)
            {
                return rooms;
            }
        }

        throw new InvalidOperationException($"The directory still had a next_cursor after {MaxPages} pages.");
    }

    /// <summary>The listed room ids among <paramref name="mine"/>, in listing order.</summary>
    public static List<string> OrderOf(IEnumerable<JsonObject> rooms, IReadOnlyCollection<string> mine) =>
        rooms.Select(r => (string)r["room_id"]!).Where(mine.Contains).ToList();

    public static string DirectoryPath(int? limit = null, string? cursor = null)
    {
        var query = new List<string>();
        if (limit is not null)
        {
            query.Add("limit=" + limit);
        }

        if (cursor is not null)
        {
            query.Add("cursor=" + Uri.EscapeDataString(cursor));
        }

        return query.Count == 0 ? "/api/rooms" : "/api/rooms?" + string.Join('&', query);
    }
}
