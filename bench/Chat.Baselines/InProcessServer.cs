using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Chat.Baselines;

/// <summary>
/// The ceiling for one Kestrel process: Chat.Api's frames and connection shape (bounded queue and
/// one send loop per socket, one serialization per message) with no Redis, no auth and no
/// validation, so the gap to Chat.Api is what storage, cross-replica fan-out and checks cost.
/// </summary>
internal sealed class InProcessServer(IHostApplicationLifetime lifetime)
{
    private static readonly byte[] EmptyHistoryFrame = """{"type":"messages","messages":[]}"""u8.ToArray();

    // Chat.Api's encoder: non-ASCII stays readable, HTML-sensitive characters are escaped.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        SkipValidation = true,
    };

    private readonly RoomRegistry<InProcessRoom, InProcessConnection> _rooms = new(static id => new InProcessRoom(id));

    public static void Map(WebApplication app)
    {
        var server = app.Services.GetRequiredService<InProcessServer>();
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
        var username = context.Request.Query["username"].ToString();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        using var connection = new InProcessConnection(socket, username.Length == 0 ? "anon" : username, stopping.Token);

        // History first, then join: no message frame can get in ahead of it.
        connection.Enqueue(EmptyHistoryFrame);
        var room = _rooms.Join(roomId, connection);
        var sending = connection.RunSendLoopAsync();
        try
        {
            await ReceiveLoopAsync(socket, connection, room);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client vanished, did not answer our close in time, or the server is stopping.
        }
        finally
        {
            _rooms.Leave(room, connection);
            connection.RequestClose(WebSocketCloseStatus.NormalClosure);
            await sending;
        }
    }

    private static async Task ReceiveLoopAsync(WebSocket socket, InProcessConnection connection, InProcessRoom room)
    {
        // One writer per connection, reused for every frame it builds; only this loop uses it.
        var buffer = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        while (true)
        {
            var message = await WebSocketMessages.ReceiveAsync(socket, BaselineOptions.MaxMessageBytes, connection.Cancellation);
            switch (message.Kind)
            {
                case ReceivedKind.Close:
                    // The client's close, echoed; or the answer to ours, which makes this a no-op.
                    connection.RequestClose(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure);
                    return;
                case ReceivedKind.TooBig:
                    connection.RequestClose(WebSocketCloseStatus.MessageTooBig);
                    return;
                case ReceivedKind.Text when !connection.CloseRequested:
                    try
                    {
                        HandleMessage(message.Payload, connection, room, buffer, writer);
                    }
                    finally
                    {
                        message.Release();
                    }

                    break;
                default:
                    // Binary, or read while waiting for the answer to our close: dropped.
                    message.Release();
                    break;
            }
        }
    }

    /// <summary>
    /// Handles <c>{"type":"message","content":"…","client_id":"…"}</c>: one message frame for the
    /// room, one ack for the sender. Anything it cannot parse is ignored.
    /// </summary>
    private static void HandleMessage(ReadOnlySpan<byte> json, InProcessConnection sender, InProcessRoom room, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        // Unescaped text is never longer than its escaped JSON: content goes in the first half,
        // the client id in the second, whichever order they come in.
        var scratch = ArrayPool<byte>.Shared.Rent(2 * json.Length);
        try
        {
            if (!TryParse(json, scratch, out var contentLength, out var clientIdLength))
            {
                return;
            }

            var content = scratch.AsSpan(0, contentLength);
            var clientId = clientIdLength < 0 ? default : scratch.AsSpan(json.Length, clientIdLength);
            Span<byte> timestamp = stackalloc byte[24];
            DateTime.UtcNow.TryFormat(timestamp, out var timestampLength, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            writer.WriteString("type"u8, "message"u8);
            writer.WriteStartObject("message"u8);
            writer.WriteString("id"u8, ""u8);
            writer.WriteString("room_id"u8, room.Id);
            writer.WriteString("username"u8, sender.Username);
            writer.WriteString("content"u8, content);
            writer.WriteString("timestamp"u8, timestamp[..timestampLength]);
            if (clientIdLength < 0)
            {
                writer.WriteNull("client_id"u8);
            }
            else
            {
                writer.WriteString("client_id"u8, clientId);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.Flush();
            Debug.Assert(buffer.WrittenSpan.StartsWith(InProcessRoom.FramePrefix), "The id must follow the frame prefix.");

            Span<byte> id = stackalloc byte[InProcessRoom.MaxIdLength];
            var idLength = room.Publish(buffer.WrittenSpan, id);

            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            writer.WriteString("type"u8, "ack"u8);
            if (clientIdLength >= 0)
            {
                writer.WriteString("client_id"u8, clientId);
            }

            writer.WriteString("id"u8, id[..idLength]);
            writer.WriteEndObject();
            writer.Flush();
            sender.Enqueue(buffer.WrittenSpan.ToArray());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, or text that cannot be written back (an escaped lone surrogate): ignored.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Reads <c>type</c>, <c>content</c> and <c>client_id</c>, unescaped into
    /// <paramref name="scratch"/>: content at 0, client id at <c>json.Length</c>. Unknown
    /// properties are skipped; <paramref name="clientIdLength"/> is -1 when there is no client id.
    /// </summary>
    private static bool TryParse(ReadOnlySpan<byte> json, byte[] scratch, out int contentLength, out int clientIdLength)
    {
        contentLength = -1;
        clientIdLength = -1;
        var isMessage = false;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                isMessage = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("message"u8);
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                contentLength = reader.CopyString(scratch.AsSpan(0, json.Length));
            }
            else if (reader.ValueTextEquals("client_id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    clientIdLength = reader.CopyString(scratch.AsSpan(json.Length, json.Length));
                }
                else if (reader.TokenType == JsonTokenType.Null)
                {
                    clientIdLength = -1;
                }
                else
                {
                    return false;
                }
            }
            else
            {
                // Unknown property: Skip moves past its value, nested or not.
                reader.Skip();
            }
        }

        return isMessage && contentLength >= 0;
    }
}
