using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chat.Tests.Infrastructure;

/// <summary>A real ClientWebSocket speaking protocol v1, with helpers to wait for frames.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly byte[] _buffer = new byte[1 << 20];

    private ChatClient(ClientWebSocket socket, string instance)
    {
        _socket = socket;
        Instance = instance;
    }

    /// <summary>The replica serving this socket, from the X-Chat-Instance upgrade header.</summary>
    public string Instance { get; }

    public WebSocket Socket => _socket;

    /// <summary>Ids of every live message frame received so far, in order.</summary>
    public List<string> ReceivedIds { get; } = [];

    public static Uri SocketUri(Uri apiUri, string room, string? since = null, string? token = null, string? epoch = null)
    {
        var query = new List<string>();
        if (token is not null)
        {
            query.Add("access_token=" + Uri.EscapeDataString(token));
        }

        if (since is not null)
        {
            query.Add("since=" + Uri.EscapeDataString(since));
        }

        if (epoch is not null)
        {
            query.Add("epoch=" + Uri.EscapeDataString(epoch));
        }

        var builder = new UriBuilder(apiUri)
        {
            Scheme = apiUri.Scheme == "https" ? "wss" : "ws",
            Path = "/ws/chat/" + Uri.EscapeDataString(room),
            Query = string.Join('&', query),
        };
        return builder.Uri;
    }

    public static async Task<ChatClient> ConnectAsync(Uri apiUri, string room, string token, string? since = null, string? epoch = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await socket.ConnectAsync(SocketUri(apiUri, room, since, epoch: epoch), CancellationToken.None).WaitAsync(TestTimeouts.Default);
        var instance = socket.HttpResponseHeaders?.TryGetValue("X-Chat-Instance", out var values) == true
            ? string.Join(",", values)
            : throw new InvalidOperationException("The upgrade response had no X-Chat-Instance header.");
        return new ChatClient(socket, instance);
    }

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public Task SendTextAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type, bool endOfMessage = true) =>
        await _socket.SendAsync(bytes.AsMemory(), type, endOfMessage, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);

    /// <summary>Sends a message and returns the id its ack carries.</summary>
    public async Task<string> SendMessageAsync(string content, string? clientId = null)
    {
        clientId ??= Guid.NewGuid().ToString("N");
        await SendAsync(new { type = "message", content, client_id = clientId });
        var ack = await ReceiveUntilAsync(f => Type(f) == "ack" && (string?)f["client_id"] == clientId);
        return (string)ack["id"]!;
    }

    /// <summary>The next frame, or null when the server closed the socket.</summary>
    public async Task<JsonObject?> ReceiveAsync(TimeSpan? timeout = null)
    {
        var length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), CancellationToken.None)
                .AsTask().WaitAsync(timeout ?? TestTimeouts.Default);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                // Answer the close at once, as browsers do; otherwise the server waits its close
                // timeout for the reply, and a replica's graceful stop takes that much longer.
                await ReplyToCloseAsync();
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                break;
            }
        }

        var frame = JsonNode.Parse(_buffer.AsSpan(0, length))!.AsObject();
        if (Type(frame) == "message")
        {
            ReceivedIds.Add((string)frame["message"]!["id"]!);
        }

        return frame;
    }

    /// <summary>Receives until a frame matches; fails if the socket closes first.</summary>
    public async Task<JsonObject> ReceiveUntilAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (true)
        {
            var frame = await ReceiveAsync(timeout)
                ?? throw new InvalidOperationException($"The server closed the socket ({_socket.CloseStatus} {_socket.CloseStatusDescription}) before the expected frame.");
            if (match(frame))
            {
                return frame;
            }

            deadline.Token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Waits for the join's history frame (<c>{"type":"messages"}</c>) and returns it.</summary>
    public Task<JsonObject> ReceiveHistoryAsync() => ReceiveUntilAsync(f => Type(f) == "messages");

    /// <summary>Receives until <paramref name="count"/> live messages have arrived in total.</summary>
    public async Task ReceiveMessagesUntilAsync(int count, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (ReceivedIds.Count < count)
        {
            deadline.Token.ThrowIfCancellationRequested();
            _ = await ReceiveAsync(timeout)
                ?? throw new InvalidOperationException($"Closed ({_socket.CloseStatus}) after {ReceivedIds.Count} of {count} messages.");
        }
    }

    /// <summary>Reads frames until the server's close frame and returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (await ReceiveAsync(timeout) is not null)
        {
            deadline.Token.ThrowIfCancellationRequested();
        }

        return _socket.CloseStatus;
    }

    private async Task ReplyToCloseAsync()
    {
        if (_socket.State == WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TestTimeouts.Default);
                await _socket.CloseOutputAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
        }
    }

    public static string? Type(JsonObject frame) => (string?)frame["type"];

    public async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TestTimeouts.Default);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
        }

        _socket.Dispose();
    }
}
