using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/security.md, per-user limits at their defaults (10 messages/s, burst 20; 100 refusals in
/// 10 s close the socket): the limit holds for a user's sockets on both replicas together, and
/// other users in the same room are not slowed.
/// </summary>
[Collection(LimitsAppCollection.Name)]
public sealed class RateLimitTests(LimitsAppFixture app)
{
    [Fact]
    public async Task A_flooding_user_is_throttled_on_both_replicas_together_while_another_user_keeps_being_delivered()
    {
        var room = TestRooms.New("flood");
        var flooder = await app.GetTokenAsync("flooder");
        // Two sockets per user here, and a socket's place comes back just after it closes: a
        // candidate that lands on the first one's replica is closed and the next attempt waits for its place.
        var (onFirst, onSecond) = await ChatAppFixture.ConnectToBothReplicasAsync(() => ConnectWhenAllowedAsync(room, flooder));
        await onFirst.ReceiveHistoryAsync();
        await onSecond.ReceiveHistoryAsync();
        await using var bystander = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("bystander"));
        await bystander.ReceiveHistoryAsync();
        await using (onFirst)
        await using (onSecond)
        {
            // Pipelined: every send goes out without waiting for its answer, alternating replicas.
            const int PerSocket = 60;
            var started = Stopwatch.StartNew();
            for (var i = 0; i < PerSocket; i++)
            {
                await onFirst.SendAsync(new { type = "message", content = "flood", client_id = $"a{i}" });
                await onSecond.SendAsync(new { type = "message", content = "flood", client_id = $"b{i}" });
            }

            var first = await CollectAnswersAsync(onFirst, PerSocket);
            var second = await CollectAnswersAsync(onSecond, PerSocket);
            var elapsed = started.Elapsed;

            // A limit per replica would let through two bursts (40) and twice the rate; the shared
            // one lets through one burst plus the rate over the elapsed time, give or take the
            // messages in flight on the two replicas at once.
            var acked = first.Acked + second.Acked;
            var allowed = 20 + (10 * elapsed.TotalSeconds) + 4;
            Assert.True(acked <= allowed, $"{acked} messages were accepted in {elapsed.TotalSeconds:0.00} s; the shared limit allows about {allowed:0}.");
            Assert.True(first.Refused > 0 && second.Refused > 0, $"refused: {first.Refused} on the first replica, {second.Refused} on the second");
            Assert.All(first.RetryAfters.Concat(second.RetryAfters), ms => Assert.InRange(ms, 1, 2000));

            // The bystander is not throttled, and every member gets its messages.
            var ids = new List<string>();
            for (var i = 0; i < 5; i++)
            {
                ids.Add(await bystander.SendMessageAsync($"still here {i}"));
            }

            await onFirst.ReceiveUntilAsync(f => (string?)f["message"]?["id"] == ids[^1], awaited: "the bystander's last message");
            await onSecond.ReceiveUntilAsync(f => (string?)f["message"]?["id"] == ids[^1], awaited: "the bystander's last message");

            // Nothing refused was stored: the stream holds the accepted messages and the bystander's.
            var stored = await app.Redis.GetDatabase().StreamLengthAsync(new Chat.Api.Storage.RoomKeys(room).Messages);
            Assert.Equal(acked + 5, stored);
        }
    }

    [Fact]
    public async Task A_socket_refused_more_than_100_times_within_10_seconds_is_closed_with_1008()
    {
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, TestRooms.New("refusals"), await app.GetTokenAsync("hammer"));
        await client.ReceiveHistoryAsync();

        for (var i = 0; i < 160 && client.Socket.State == WebSocketState.Open; i++)
        {
            try
            {
                await client.SendAsync(new { type = "message", content = "again", client_id = $"h{i}" });
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        var refused = 0;
        while (await client.ReceiveAsync() is { } frame)
        {
            if ((string?)frame["code"] == "rate_limited")
            {
                refused++;
            }
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.Socket.CloseStatus);
        Assert.InRange(refused, 101, 160);
    }

    [Fact]
    public async Task Every_message_stored_before_the_refusal_close_is_acked_first()
    {
        // Pipelined past the limit: the burst's last appends are still in flight when the 101st
        // refusal closes the socket with 1008. Each stored message must still get its ack before
        // the close (as a 1012 does), or the client cannot tell it was stored.
        // A race: repeated so that a run catches it.
        for (var round = 0; round < 10; round++)
        {
            await FloodUntilRefusalCloseAsync();
        }
    }

    private async Task FloodUntilRefusalCloseAsync()
    {
        var room = TestRooms.New("refusal-acks");
        await using var client = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync("burster-" + Guid.NewGuid().ToString("N")[..8]));
        await client.ReceiveHistoryAsync();
        for (var i = 0; i < 160 && client.Socket.State == WebSocketState.Open; i++)
        {
            try
            {
                await client.SendAsync(new { type = "message", content = $"m{i}", client_id = $"m{i}" });
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        var acked = new HashSet<string>();
        while (await client.ReceiveAsync() is { } frame)
        {
            if ((string?)frame["type"] == "ack")
            {
                acked.Add((string)frame["client_id"]!);
            }
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.Socket.CloseStatus);
        var entries = await app.Redis.GetDatabase().StreamRangeAsync(new Chat.Api.Storage.RoomKeys(room).Messages);
        var stored = entries.Select(e => (string)e.Values.First(v => v.Name == "c").Value!).ToList();
        Assert.NotEmpty(stored);
        Assert.DoesNotContain(stored, c => !acked.Contains(c));
    }

    [Fact]
    public async Task The_socket_past_a_users_limit_gets_429_and_a_dead_replicas_places_lapse_with_their_lease()
    {
        var token = (string)(await app.SignInAsync("sockets-" + Guid.NewGuid().ToString("N")[..6]))["access_token"]!;
        var subject = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Subject;
        var room = TestRooms.New("per-user");
        var open = new List<ChatClient>();
        try
        {
            for (var i = 0; i < LimitsAppFixture.SocketsPerUser; i++)
            {
                open.Add(await ChatClient.ConnectAsync(app.ApiUri, room, token));
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, room), token));

            // Closing one gives its place back.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            open.Add(await ConnectWhenAllowedAsync(room, token));
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }

        // A replica killed while holding the user's sockets never gives their places back; its
        // leases, which only it renewed, lapse within Limits:SocketLeaseTtl.
        var sockets = Chat.Api.Storage.UserKeys.Sockets(subject);
        var leaseEnd = DateTimeOffset.UtcNow.Add(LimitsAppFixture.SocketLeaseTtl).ToUnixTimeMilliseconds();
        var db = app.Redis.GetDatabase();
        await db.KeyDeleteAsync(sockets);
        for (var i = 0; i < LimitsAppFixture.SocketsPerUser; i++)
        {
            await db.SortedSetAddAsync(sockets, $"dead-replica:1:{i}", leaseEnd);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, room), token));
        await using var afterLapse = await ConnectWhenAllowedAsync(room, token);
        Assert.Equal("messages", ChatClient.Type(await afterLapse.ReceiveHistoryAsync()));
    }

    [Fact]
    public async Task A_handshake_refused_for_too_many_sockets_leaves_no_room_and_spends_no_quota()
    {
        var token = (string)(await app.SignInAsync("squatter-" + Guid.NewGuid().ToString("N")[..6]))["access_token"]!;
        var subject = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Subject;
        var held = TestRooms.New("held");
        var open = new List<ChatClient>();
        try
        {
            for (var i = 0; i < LimitsAppFixture.SocketsPerUser; i++)
            {
                open.Add(await ConnectWhenAllowedAsync(held, token));
            }

            var day = DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
            var quota = Chat.Api.Storage.UserKeys.RoomsCreated(subject, day);
            var before = (long)await app.Redis.GetDatabase().StringGetAsync(quota);
            var fresh = TestRooms.New("never-made");

            Assert.Equal(HttpStatusCode.TooManyRequests, await ChatClient.HandshakeStatusAsync(ChatClient.SocketUri(app.ApiUri, fresh), token));
            Assert.Empty(app.Redis.GetServers()[0].Keys(pattern: $"chat:{{{fresh}}}*").ToList());
            Assert.Equal(before, (long)await app.Redis.GetDatabase().StringGetAsync(quota));
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    private async Task<ChatClient> ConnectWhenAllowedAsync(string room, string token)
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        while (true)
        {
            try
            {
                return await ChatClient.ConnectAsync(app.ApiUri, room, token);
            }
            catch (WebSocketException) when (!deadline.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
        }
    }

    private static async Task<(int Acked, int Refused, List<int> RetryAfters)> CollectAnswersAsync(ChatClient client, int expected)
    {
        int acked = 0, refused = 0;
        var retryAfters = new List<int>();
        while (acked + refused < expected)
        {
            var frame = await client.ReceiveUntilAsync(f => ChatClient.Type(f) is "ack" or "error", awaited: $"answer {acked + refused + 1} of {expected}");
            if (ChatClient.Type(frame) == "ack")
            {
                acked++;
            }
            else
            {
                Assert.Equal("rate_limited", (string?)frame["code"]);
                Assert.NotNull(frame["client_id"]);
                retryAfters.Add((int)frame["retry_after_ms"]!);
                refused++;
            }
        }

        return (acked, refused, retryAfters);
    }
}
