using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Chat.Baselines;

/// <summary>
/// The Python router Chat.Api replaces, reproduced faithfully, flaws included, so the load test
/// measures what the rewrite bought: every message is stored under <c>chat:{room}:{timestamp}</c>
/// (two messages in one microsecond overwrite each other), then a <c>KEYS</c> scan and an
/// <c>MGET</c> of the newest 50, and that whole last-50 frame goes to every member of the room on
/// this process (rooms are a process-local dictionary, so two processes never see each other).
/// </summary>
internal sealed class SeedServer(IConnectionMultiplexer redis, IHostApplicationLifetime lifetime)
{
    private readonly IDatabase _db = redis.GetDatabase();
    private readonly RoomRegistry<Room<SeedMember>, SeedMember> _rooms = new(static id => new Room<SeedMember>(id));

    public static void AddServices(IServiceCollection services, string redisConfiguration)
    {
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redisConfiguration));
        services.AddSingleton<SeedServer>();
    }

    public static void Map(WebApplication app)
    {
        // Resolving the server connects to Redis now: a wrong --redis fails the start, not the first client.
        var server = app.Services.GetRequiredService<SeedServer>();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = BaselineOptions.KeepAliveInterval });
        app.MapGet("/ws/chat/{room_id}", server.ConnectAsync);
    }

    private async Task ConnectAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var roomId = (string)context.Request.RouteValues["room_id"]!;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var member = new SeedMember(socket);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stopping.Token;
        var room = _rooms.Join(roomId, member);
        try
        {
            await member.SendAsync(await LastMessagesFrameAsync(roomId), cancellationToken);
            while (true)
            {
                var message = await WebSocketMessages.ReceiveAsync(socket, BaselineOptions.MaxMessageBytes, cancellationToken);
                if (message.Kind == ReceivedKind.Close)
                {
                    await member.CloseAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, cancellationToken);
                    return;
                }

                if (message.Kind == ReceivedKind.TooBig)
                {
                    await member.CloseAsync(WebSocketCloseStatus.MessageTooBig, cancellationToken);
                    return;
                }

                SeedMessage? received;
                try
                {
                    received = message.Kind == ReceivedKind.Text ? ParseFrame(message.Payload) : null;
                }
                finally
                {
                    message.Release();
                }

                if (received is not null)
                {
                    await StoreAndBroadcastAsync(room, received);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client vanished, or the server is stopping.
        }
        finally
        {
            _rooms.Leave(room, member);
        }
    }

    private async Task StoreAndBroadcastAsync(Room<SeedMember> room, SeedMessage received)
    {
        var timestamp = PythonIsoFormat(DateTime.UtcNow);
        var stored = JsonSerializer.SerializeToUtf8Bytes(received with { Timestamp = timestamp }, SeedJson.Default.SeedMessage);
        await _db.StringSetAsync($"chat:{room.Id}:{timestamp}", stored);

        var frame = await LastMessagesFrameAsync(room.Id);
        var members = room.Members;
        for (var i = 0; i < members.Length; i++)
        {
            // One after another, as the seed awaited each send: a slow member holds up the sender.
            await members[i].TrySendAsync(frame);
        }
    }

    /// <summary><c>{"type":"messages","messages":[…]}</c> with the room's newest 50, oldest first.</summary>
    private async Task<byte[]> LastMessagesFrameAsync(string roomId)
    {
        // The literal KEYS, which blocks Redis while it walks every key; IServer.KeysAsync would
        // use SCAN and quietly fix the seed's worst flaw.
        var found = (string?[]?)await _db.ExecuteAsync("KEYS", $"chat:{roomId}:*") ?? [];
        Array.Sort(found, StringComparer.Ordinal);
        var count = Math.Min(found.Length, BaselineOptions.HistoryLength);
        var keys = new RedisKey[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = found[found.Length - count + i];
        }

        var values = count == 0 ? [] : await _db.StringGetAsync(keys);

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "messages"u8);
            writer.WriteStartArray("messages"u8);
            foreach (var value in values)
            {
                if (!value.IsNull)
                {
                    // Stored as JSON already: copied in (and validated), not parsed and rewritten.
                    writer.WriteRawValue(((ReadOnlyMemory<byte>)value).Span);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The seed's frame, <c>{"username":"…","content":"…"}</c>; null for anything else.</summary>
    private static SeedMessage? ParseFrame(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SeedJson.Default.SeedMessage) is { Username: not null, Content: not null } message
                ? message
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// What Python's <c>datetime.now().isoformat()</c> prints: microseconds, no zone, and no
    /// fraction at all when the microseconds are zero. It is also the key suffix, so it is kept exact.
    /// </summary>
    internal static string PythonIsoFormat(DateTime time)
    {
        var microseconds = time.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond;
        return time.ToString(microseconds == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
    }

    /// <summary>A socket of the seed's room set; sends to it are serialized, as several senders' broadcasts reach it at once.</summary>
    [SuppressMessage("Design", "CA1001", Justification = "Broadcasts from other connections may still wait on the lock after this one ends, and a disposed SemaphoreSlim throws; one whose wait handle is never asked for holds nothing to dispose.")]
    private sealed class SeedMember(WebSocket socket)
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);

        public async Task SendAsync(byte[] frame, CancellationToken cancellationToken)
        {
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        /// <summary>
        /// A broadcast send: never cancelled (cancelling a WebSocket send aborts the socket, and the
        /// sender leaving must not cut off the others), and a member that is gone is skipped where
        /// the seed would have failed the sender's connection.
        /// </summary>
        public async Task TrySendAsync(byte[] frame)
        {
            try
            {
                await SendAsync(frame, CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                // The member is closing; its own receive loop removes it from the room.
            }
        }

        public async Task CloseAsync(WebSocketCloseStatus status, CancellationToken cancellationToken)
        {
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(status, null, cancellationToken);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }
}

/// <summary>One stored message, and the client's frame (which has no timestamp).</summary>
internal sealed record SeedMessage(
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("content")] string? Content,
    [property: JsonPropertyName("timestamp")] string? Timestamp);

[JsonSerializable(typeof(SeedMessage))]
internal sealed partial class SeedJson : JsonSerializerContext;
