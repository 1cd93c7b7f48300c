using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

[Collection(ChatAppCollection.Name)]
public sealed class HistoryTests(ChatAppFixture app)
{
    [Fact]
    public async Task Joining_sends_the_last_50_messages_oldest_first_with_the_instance()
    {
        var room = TestRooms.New("history");
        await using (var writer = await app.ConnectAsync(room, "alice"))
        {
            await writer.ReceiveHistoryAsync();
            for (var i = 0; i < 60; i++)
            {
                await writer.SendMessageAsync($"message {i}");
            }
        }

        await using var reader = await app.ConnectAsync(room, "bob");
        var history = await reader.ReceiveAsync();

        Assert.NotNull(history);
        Assert.Equal("messages", ChatClient.Type(history));
        Assert.Equal(reader.Instance, (string?)history["instance"]);
        Assert.False(history.ContainsKey("recovered"));
        var messages = history["messages"]!.AsArray();
        var stream = await app.ReadStreamIdsAsync(room);
        Assert.Equal(stream.TakeLast(50), messages.Select(m => (string)m!["id"]!));
        Assert.Equal("message 10", (string?)messages[0]!["content"]);
        Assert.Equal("message 59", (string?)messages[^1]!["content"]);
    }

    [Fact]
    public async Task Resuming_with_since_while_others_send_leaves_no_gap_and_no_duplicate()
    {
        var room = TestRooms.New("resume");
        var (a, b) = await app.ConnectToBothReplicasAsync(room, "sender1");
        var (c, d) = await app.ConnectToBothReplicasAsync(room, "sender2");
        ChatClient[] senders = [a, b, c];
        await using var resumer = await app.ConnectAsync(room, "carol");
        try
        {
            foreach (var client in new[] { a, b, c, d, resumer })
            {
                await client.ReceiveHistoryAsync();
            }

            using var stop = new CancellationTokenSource();
            var sending = senders.Select(async (sender, index) =>
            {
                var i = 0;
                while (!stop.IsCancellationRequested && i < 400)
                {
                    await sender.SendAsync(new { type = "message", content = $"s{index} #{i}", client_id = $"{index}-{i}" });
                    i++;
                    await Task.Delay(5); // pacing, so the senders are still going when the resume happens
                }
            }).ToArray();

            // Receive some, drop the socket mid-stream, and come back with since.
            await resumer.ReceiveMessagesUntilAsync(20);
            var seenBefore = resumer.ReceivedIds.ToList();
            resumer.Socket.Abort();

            // d only listens: once it has seen 30 more messages, they were stored while carol was away.
            await d.ReceiveMessagesUntilAsync(seenBefore.Count + 30);
            await using var resumed = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("carol"), since: seenBefore[^1]);
            var recoveredIds = new List<string>();
            var first = await resumed.ReceiveAsync();
            Assert.NotNull(first);
            Assert.Equal("messages", ChatClient.Type(first));
            Assert.True((bool)first["recovered"]!);
            Assert.Equal(resumed.Instance, (string?)first["instance"]);
            recoveredIds.AddRange(first["messages"]!.AsArray().Select(m => (string)m!["id"]!));

            // Let live messages flow to the resumed socket too, then stop the senders.
            await d.ReceiveMessagesUntilAsync(d.ReceivedIds.Count + 30);
            stop.Cancel();
            await Task.WhenAll(sending);
            var marker = await a.SendMessageAsync("end");

            // Read everything up to the marker, batches and live frames alike.
            while (!recoveredIds.Contains(marker) && !resumed.ReceivedIds.Contains(marker))
            {
                var frame = await resumed.ReceiveAsync() ?? throw new InvalidOperationException("closed");
                if (ChatClient.Type(frame) == "messages")
                {
                    recoveredIds.AddRange(frame["messages"]!.AsArray().Select(m => (string)m!["id"]!));
                }
            }

            // Senders' last frames may still be stored after the marker (nobody waited for their
            // acks), so compare up to the marker: the resumed socket stops reading there.
            var stream = await app.ReadStreamIdsAsync(room);
            var upToMarker = stream.TakeWhile(id => id != marker).Append(marker).ToList();
            var seen = seenBefore.Concat(recoveredIds).Concat(resumed.ReceivedIds).ToList();
            Assert.Equal(upToMarker, seen);
        }
        finally
        {
            foreach (var client in new[] { a, b, c, d })
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Resuming_from_before_the_retained_history_sends_the_last_50_as_not_recovered()
    {
        var room = TestRooms.New("trimmed");
        string firstId;
        await using (var writer = await app.ConnectAsync(room, "alice"))
        {
            await writer.ReceiveHistoryAsync();
            firstId = await writer.SendMessageAsync("first");
            for (var i = 0; i < 70; i++)
            {
                await writer.SendMessageAsync($"later {i}");
            }
        }

        // What retention does over time, done at once: drop the oldest entries.
        await app.Redis.GetDatabase().StreamTrimAsync(new RoomKeys(room).Messages, 60);

        await using var resumed = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("alice"), since: firstId);
        var frame = await resumed.ReceiveAsync();

        Assert.NotNull(frame);
        Assert.False((bool)frame["recovered"]!);
        var stream = await app.ReadStreamIdsAsync(room);
        Assert.Equal(stream.TakeLast(50), frame["messages"]!.AsArray().Select(m => (string)m!["id"]!));
    }

    [Fact]
    public async Task History_pages_back_and_forward_with_has_more()
    {
        var room = TestRooms.New("paging");
        await using (var writer = await app.ConnectAsync(room, "alice"))
        {
            await writer.ReceiveHistoryAsync();
            for (var i = 0; i < 25; i++)
            {
                await writer.SendMessageAsync($"m{i}");
            }
        }

        var stream = await app.ReadStreamIdsAsync(room);
        var token = await app.GetTokenAsync("bob");

        var latest = await GetPageAsync(token, $"/api/rooms/{room}/messages?limit=10");
        Assert.Equal(stream.TakeLast(10), Ids(latest));
        Assert.True((bool)latest["has_more"]!);

        var older = await GetPageAsync(token, $"/api/rooms/{room}/messages?limit=10&before={stream[15]}");
        Assert.Equal(stream.Skip(5).Take(10), Ids(older));
        Assert.True((bool)older["has_more"]!);

        var oldest = await GetPageAsync(token, $"/api/rooms/{room}/messages?limit=10&before={stream[5]}");
        Assert.Equal(stream.Take(5), Ids(oldest));
        Assert.False((bool)oldest["has_more"]!);

        var forward = await GetPageAsync(token, $"/api/rooms/{room}/messages?limit=10&after={stream[19]}");
        Assert.Equal(stream.Skip(20), Ids(forward));
        Assert.False((bool)forward["has_more"]!);

        var between = await GetPageAsync(token, $"/api/rooms/{room}/messages?limit=3&after={stream[2]}&before={stream[10]}");
        Assert.Equal(stream.Skip(3).Take(3), Ids(between));
        Assert.True((bool)between["has_more"]!);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=201", "limit")]
    [InlineData("?limit=abc", "limit")]
    [InlineData("?limit=-5", "limit")]
    [InlineData("?before=nope", "before")]
    [InlineData("?after=1-", "after")]
    public async Task History_paging_rejects_bad_parameters_with_problem_details(string query, string field)
    {
        var token = await app.GetTokenAsync("bob");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/rooms/lobby/messages" + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.Http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(field, (string?)problem!["field"]);
    }

    [Fact]
    public async Task History_paging_needs_a_token()
    {
        using var response = await app.Http.GetAsync("/api/rooms/lobby/messages");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<JsonObject> GetPageAsync(string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static IEnumerable<string> Ids(JsonObject page) =>
        page["messages"]!.AsArray().Select(m => (string)m!["id"]!);
}
