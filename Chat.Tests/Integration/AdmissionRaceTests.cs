using System.Net.Http.Headers;
using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/security.md: a sign-out ends every socket of the session, including one whose handshake
/// was being checked while the sign-out happened (found by a hostile review: the notice arrived
/// before the socket was registered and found nothing to close).
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class AdmissionRaceTests(ChatAppFixture app)
{
    [Fact]
    public async Task Handshakes_racing_a_sign_out_never_leave_a_socket_open()
    {
        for (var trial = 0; trial < 6; trial++)
        {
            var token = (string)(await app.SignInAsync("racer-" + Guid.NewGuid().ToString("N")[..8]))["access_token"]!;
            var room = TestRooms.New("race");
            var opened = new System.Collections.Concurrent.ConcurrentBag<ClientWebSocket>();
            using var stop = new CancellationTokenSource();
            var churn = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var socket = new ClientWebSocket();
                    socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
                    try
                    {
                        await socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, room), CancellationToken.None).WaitAsync(TestTimeouts.Default);
                        opened.Add(socket);
                    }
                    catch (Exception ex) when (ex is WebSocketException or TimeoutException)
                    {
                        // Refused: the sign-out already counts.
                        socket.Dispose();
                    }
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromMilliseconds(150));
            using (var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout"))
            {
                logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await app.Http.SendAsync(logout);
                response.EnsureSuccessStatusCode();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(150));
            stop.Cancel();
            await Task.WhenAll(churn);

            // Every socket that got in must be closed by the server with 1008.
            var buffer = new byte[64 * 1024];
            foreach (var socket in opened)
            {
                using var deadline = new CancellationTokenSource(TestTimeouts.Default);
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, deadline.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }

                Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
                socket.Dispose();
            }
        }
    }
}
