using System.Net.Sockets;
using System.Text;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>docs/protocol.md, the chat socket: a handshake whose headers do not arrive within Limits:HandshakeTimeout is dropped.</summary>
[Collection(LimitsAppCollection.Name)]
public sealed class HandshakeTimeoutTests(LimitsAppFixture app)
{
    [Fact]
    public async Task A_handshake_that_never_finishes_its_request_line_is_closed_by_the_server()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(app.ApiUri.Host, app.ApiUri.Port).WaitAsync(TestTimeouts.Default);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /ws/chat/lobby HTT")).AsTask().WaitAsync(TestTimeouts.Default);

        // The app allows 2 s (LimitsAppFixture); this wait is far longer than that yet shorter
        // than Kestrel's 30 s default, so it fails if the setting were not applied.
        var response = await ReadUntilClosedAsync(stream).WaitAsync(TestTimeouts.Default);

        Assert.True(response.Length == 0 || response.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), response);
    }

    /// <summary>Whatever the server sends before it closes; a reset counts as closed.</summary>
    private static async Task<string> ReadUntilClosedAsync(NetworkStream stream)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
        }

        return received.ToString();
    }
}
