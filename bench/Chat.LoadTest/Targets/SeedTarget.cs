using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chat.LoadTest.Targets;

/// <summary>
/// The seed's protocol: send <c>{username, content}</c>, receive the room's last 50 messages after
/// every message. New messages are told from repeats by their stamp's sequence.
/// </summary>
public sealed class SeedTarget(Uri url) : ChatTarget(url)
{
    public override bool RepeatsHistory => true;

    public override bool Acknowledges => false;

    public override async Task<ChatSocket> ConnectAsync(string room, string user, IPAddress source, CancellationToken cancellationToken) =>
        new SeedSocket(await OpenWebSocketAsync(WebSocketUri(Url, $"/ws/chat/{room}"), source, cancellationToken), user);

    private sealed class SeedSocket(WebSocket socket, string user) : ChatSocket(socket)
    {
        public override ValueTask SendAsync(string content, string clientId, CancellationToken cancellationToken) =>
            Socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"username":"{{user}}","content":"{{content}}"}""").AsMemory(),
                WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

        protected override void OnFrame(ReadOnlySpan<byte> frame, IDeliverySink sink)
        {
            var reader = new Utf8JsonReader(frame);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    sink.OnMessage(reader.ValueSpan);
                }
            }
        }
    }
}
