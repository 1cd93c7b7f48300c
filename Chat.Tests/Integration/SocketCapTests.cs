using System.Net;
using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>Limits:MaxSocketsPerProcess: past the cap a handshake gets 503 with Retry-After, and places come back.</summary>
[Collection(LimitsAppCollection.Name)]
public sealed class SocketCapTests(LimitsAppFixture app)
{
    [Fact]
    public async Task Past_the_per_process_socket_cap_a_handshake_gets_503_and_a_freed_place_is_reusable()
    {
        var room = TestRooms.New("cap");
        // One user per socket: a user's own limit (two sockets here) must not be what refuses.
        var tokens = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            tokens.Add(await app.GetTokenAsync($"cap-{i}"));
        }
        var sockets = new List<(ClientWebSocket Socket, string? Instance)>();
        try
        {
            // Two replicas of three places each: at most six sockets, whatever the proxy's balancing.
            ClientWebSocket? refused = null;
            for (var attempt = 0; attempt < 10 && refused is null; attempt++)
            {
                var socket = new ClientWebSocket();
                socket.Options.CollectHttpResponseDetails = true;
                socket.Options.SetRequestHeader("Authorization", "Bearer " + tokens[attempt]);
                try
                {
                    await socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, room), CancellationToken.None).WaitAsync(TestTimeouts.Default);
                    sockets.Add((socket, string.Join(",", socket.HttpResponseHeaders!["X-Chat-Instance"])));
                }
                catch (WebSocketException)
                {
                    refused = socket;
                    sockets.Add((socket, null));
                }
            }

            Assert.NotNull(refused);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.HttpStatusCode);
            Assert.Equal("5", string.Join(",", refused.HttpResponseHeaders!["Retry-After"]));
            var accepted = sockets.Where(s => s.Instance is not null).ToList();
            Assert.InRange(accepted.Count, LimitsAppFixture.MaxSocketsPerProcess, 2 * LimitsAppFixture.MaxSocketsPerProcess);
            Assert.All(accepted.GroupBy(s => s.Instance), g => Assert.InRange(g.Count(), 1, LimitsAppFixture.MaxSocketsPerProcess));

            // Closing every socket gives the places back.
            foreach (var (socket, _) in accepted)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(TestTimeouts.Default);
            }

            using var deadline = new CancellationTokenSource(TestTimeouts.Default);
            for (var connected = 0; connected < 2 * LimitsAppFixture.MaxSocketsPerProcess;)
            {
                try
                {
                    await using var again = await ChatClient.ConnectAsync(app.ApiUri, room, tokens[connected]);
                    await again.ReceiveHistoryAsync();
                    connected++;
                }
                catch (WebSocketException) when (!deadline.IsCancellationRequested)
                {
                    // The server may still be finishing the closes.
                    await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
                }
            }
        }
        finally
        {
            foreach (var (socket, _) in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
