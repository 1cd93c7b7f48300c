using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chat.LoadTest.Targets;

/// <summary>
/// Protocol v1 (docs/protocol.md): our API with guest tokens, or the in-process baseline, which
/// speaks the same frames but takes the username from the query string.
/// </summary>
public sealed class ChatV1Target(Uri url, bool usernameInQuery) : ChatTarget(url)
{
    private readonly ConcurrentDictionary<string, Task<string>> _tokens = new();
    private readonly HttpClient _http = new() { BaseAddress = url };

    // A guest name is reserved while its session lives, so each run signs its users in under
    // names of its own: a second run against the same server would otherwise get 409.
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];

    // The join storm signs everyone in first, so that it times joins and not token issuance.
    public override Task SignInAsync(string user) => usernameInQuery ? Task.CompletedTask : _tokens.GetOrAdd(user, IssueTokenAsync);

    public override async Task<ChatSocket> ConnectAsync(string room, string user, IPAddress source, CancellationToken cancellationToken)
    {
        var query = usernameInQuery
            ? "username=" + Uri.EscapeDataString(user)
            : "access_token=" + Uri.EscapeDataString(await _tokens.GetOrAdd(user, IssueTokenAsync));
        var socket = await OpenWebSocketAsync(WebSocketUri(Url, $"/ws/chat/{room}?{query}"), source, cancellationToken);
        return new V1Socket(socket);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task<string> IssueTokenAsync(string user)
    {
        using var response = await _http.PostAsJsonAsync("/api/auth/guest", new { username = $"{user}.{_run}" });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    private sealed class V1Socket(WebSocket socket) : ChatSocket(socket)
    {
        public override ValueTask SendAsync(string content, string clientId, CancellationToken cancellationToken)
        {
            // Content and client id are ASCII without quotes or backslashes (MessageStamp), so
            // the frame can be written without a serializer.
            var frame = Encoding.UTF8.GetBytes($$"""{"type":"message","content":"{{content}}","client_id":"{{clientId}}"}""");
            return Socket.SendAsync(frame.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }

        protected override void OnFrame(ReadOnlySpan<byte> frame, IDeliverySink sink)
        {
            var reader = new Utf8JsonReader(frame);
            var depth = 0;
            var kind = 0; // 1 message, 2 ack, 3 error
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        depth++;
                        break;
                    case JsonTokenType.EndObject:
                        depth--;
                        break;
                    case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("type"u8):
                        reader.Read();
                        kind = reader.ValueTextEquals("message"u8) ? 1 : reader.ValueTextEquals("ack"u8) ? 2 : reader.ValueTextEquals("error"u8) ? 3 : 0;
                        if (kind == 2)
                        {
                            sink.OnAck();
                            return;
                        }

                        if (kind == 3)
                        {
                            sink.OnError();
                            return;
                        }

                        if (kind == 0)
                        {
                            return; // history, pong
                        }

                        break;
                    case JsonTokenType.PropertyName when depth == 2 && reader.ValueTextEquals("content"u8):
                        reader.Read();
                        sink.OnMessage(reader.ValueSpan);
                        return;
                }
            }
        }
    }
}
