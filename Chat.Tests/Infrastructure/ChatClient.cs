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
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        await socket.ConnectAsync(SocketUri(apiUri, room, since, epoch: epoch), timeout.Token);
        var instance = socket.HttpResponseHeaders?.TryGetValue("X-Chat-Instance", out var values) == true
            ? string.Join(",", values)
            : throw new InvalidOperationException("The upgrade response had no X-Chat-Instance header.");
        return new ChatClient(socket, instance);
    }

    /// <summary>The status of a handshake the server refuses (the upgrade must fail).</summary>
    public static async Task<System.Net.HttpStatusCode> HandshakeStatusAsync(Uri uri, string? headerToken = null, string? origin = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (headerToken is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + headerToken);
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TestTimeouts.Default);
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }

        socket.Abort();
        throw new InvalidOperationException($"The handshake to {uri.AbsolutePath} was accepted; a refusal was expected.");
    }

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public Task SendTextAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type, bool endOfMessage = true)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        await _socket.SendAsync(bytes.AsMemory(), type, endOfMessage, timeout.Token);
    }

    /// <summary>Sends a message and returns the id its ack carries.</summary>
    public async Task<string> SendMessageAsync(string content, string? clientId = null)
    {
        clientId ??= Guid.NewGuid().ToString("N");
        await SendAsync(new { type = "message", content, client_id = clientId });
        var ack = await ReceiveUntilAsync(f => Type(f) == "ack" && (string?)f["client_id"] == clientId, awaited: $"the ack for client_id {clientId}");
        return (string)ack["id"]!;
    }

    /// <summary>The next frame, or null when the server closed the socket.</summary>
    public Task<JsonObject?> ReceiveAsync(TimeSpan? timeout = null) => ReceiveFrameAsync(timeout ?? TestTimeouts.Default, "the next frame");

    /// <summary>
    /// Receives until a frame matches <c>match</c>; fails if the socket closes first or the time
    /// runs out. <c>awaited</c> says what the test waits for, in the failure's message.
    /// </summary>
    public async Task<JsonObject> ReceiveUntilAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null, string awaited = "a frame the test's condition matches")
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            var frame = await ReceiveFrameAsync(limit, awaited, deadline.Token)
                ?? throw new InvalidOperationException($"The server closed the socket ({_socket.CloseStatus} {_socket.CloseStatusDescription}) before {awaited}.");
            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>Waits for the join's history frame (<c>{"type":"messages"}</c>) and returns it.</summary>
    public Task<JsonObject> ReceiveHistoryAsync() => ReceiveUntilAsync(f => Type(f) == "messages", awaited: "the join's history frame");

    /// <summary>Receives until <paramref name="count"/> live messages have arrived in total.</summary>
    public async Task ReceiveMessagesUntilAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var deadline = new CancellationTokenSource(limit);
        while (ReceivedIds.Count < count)
        {
            _ = await ReceiveFrameAsync(limit, $"{count} live messages in total (had {ReceivedIds.Count})", deadline.Token)
                ?? throw new InvalidOperationException($"Closed ({_socket.CloseStatus}) after {ReceivedIds.Count} of {count} messages.");
        }
    }

    /// <summary>Reads frames until the server's close frame and returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TestTimeouts.Default;
        using var deadline = new CancellationTokenSource(limit);
        while (await ReceiveFrameAsync(limit, "the server's close frame", deadline.Token) is not null)
        {
            // Frames before the close are not what this waits for.
        }

        return _socket.CloseStatus;
    }

    private async Task<JsonObject?> ReceiveFrameAsync(TimeSpan timeout, string awaited)
    {
        using var deadline = new CancellationTokenSource(timeout);
        return await ReceiveFrameAsync(timeout, awaited, deadline.Token);
    }

    /// <summary>
    /// One frame, with a receive that the deadline really cancels. A ClientWebSocket aborts
    /// itself when a receive is cancelled, so after a timeout this client is unusable; the
    /// message says so, so that later failures on it are not mistaken for the cause.
    /// </summary>
    private async Task<JsonObject?> ReceiveFrameAsync(TimeSpan limit, string awaited, CancellationToken deadline)
    {
        var length = 0;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), deadline);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Answer the close at once, as browsers do; otherwise the server waits its
                    // close timeout for the reply, and a replica's graceful stop takes that long.
                    await ReplyToCloseAsync();
                    return null;
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException && deadline.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Waited {limit.TotalSeconds:0.#} s for {awaited} on replica {Instance} ({ReceivedIds.Count} live messages received so far). " +
                "The receive was cancelled, which aborts a ClientWebSocket: this client cannot be used any more.", ex);
        }

        var frame = JsonNode.Parse(_buffer.AsSpan(0, length))!.AsObject();
        if (Type(frame) == "message")
        {
            ReceivedIds.Add((string)frame["message"]!["id"]!);
        }

        return frame;
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
