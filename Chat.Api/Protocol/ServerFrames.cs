using System.Buffers;
using System.Text.Json;

namespace Chat.Api.Protocol;

/// <summary>
/// Builds the frames the server sends. Each is serialized once into its own byte array, which is
/// then queued to as many members as need it; nothing is serialized per recipient.
/// </summary>
public static class ServerFrames
{
    /// <summary>The protocol version in every join's first frame; clients refuse one they do not know.</summary>
    public const int ProtocolVersion = 1;

    /// <summary>A cached writer that grew past this is dropped after use instead of pinning its buffer.</summary>
    private const int RetainedWriterBytes = 64 * 1024;

    public static readonly byte[] Pong = """{"type":"pong"}"""u8.ToArray();

    [ThreadStatic]
    private static FrameWriter? t_writer;

    public static byte[] Ack(string? clientId, string id)
    {
        var (buffer, writer) = RentWriter();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "ack"u8);
        if (clientId is not null)
        {
            writer.WriteString("client_id"u8, clientId);
        }

        writer.WriteString("id"u8, id);
        writer.WriteEndObject();
        return Finish(buffer, writer);
    }

    public static byte[] Error(in FrameError error)
    {
        var (buffer, writer) = RentWriter();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteString("code"u8, error.Code);
        writer.WriteString("message"u8, error.Message);
        if (error.ClientId is not null)
        {
            writer.WriteString("client_id"u8, error.ClientId);
        }

        if (error.RetryAfterMs is { } retryAfter)
        {
            writer.WriteNumber("retry_after_ms"u8, retryAfter);
        }

        writer.WriteEndObject();
        return Finish(buffer, writer);
    }

    /// <summary><c>{"type":"auth","expires_at":"…"}</c>: a renewal was accepted; the socket now lives until then.</summary>
    public static byte[] AuthRenewed(DateTime expiresAtUtc)
    {
        var (buffer, writer) = RentWriter();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "auth"u8);
        writer.WriteString("expires_at"u8, MessageJson.FormatTimestamp(expiresAtUtc));
        writer.WriteEndObject();
        return Finish(buffer, writer);
    }

    /// <summary>
    /// <c>{"type":"presence","users":[...]}</c>: everyone online in the room, display names sorted
    /// case-insensitively. Built once per join, or once per replica when a window overflows.
    /// </summary>
    public static byte[] Presence(IReadOnlyList<string> users)
    {
        var (buffer, writer) = RentWriter();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "presence"u8);
        writer.WriteStartArray("users"u8);
        foreach (var user in users)
        {
            writer.WriteStringValue(user);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        return Finish(buffer, writer);
    }

    /// <summary>
    /// <c>{"type":"join"|"leave"|"typing","username":"…"}</c>: one ephemeral event, built once per
    /// replica for all the room's members there.
    /// </summary>
    public static byte[] PresenceEvent(PresenceSignalKind kind, string username)
    {
        var (buffer, writer) = RentWriter();
        writer.WriteStartObject();
        writer.WriteString("type"u8, kind switch
        {
            PresenceSignalKind.Join => "join"u8,
            PresenceSignalKind.Leave => "leave"u8,
            _ => "typing"u8,
        });
        writer.WriteString("username"u8, username);
        writer.WriteEndObject();
        return Finish(buffer, writer);
    }

    /// <summary>
    /// <c>{"type":"messages","messages":[...]}</c>, the seed's history frame, holding messages from
    /// <paramref name="next"/> on until <paramref name="maxBytes"/> is reached (always at least one
    /// message, when any is left), so that no frame outgrows a connection's outgoing bound.
    /// <paramref name="next"/> is advanced past the messages written. <paramref name="recovered"/>
    /// is written on resume; <paramref name="join"/> on the first frame of a connection.
    /// </summary>
    public static byte[] Messages(IReadOnlyList<ChatMessage> messages, ref int next, int maxBytes, bool? recovered, JoinHeader? join)
    {
        var (buffer, writer) = RentWriter();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "messages"u8);
        writer.WriteStartArray("messages"u8);
        while (next < messages.Count)
        {
            MessageJson.Write(writer, messages[next++]);
            if (writer.BytesCommitted + writer.BytesPending >= maxBytes)
            {
                break;
            }
        }

        writer.WriteEndArray();
        if (recovered is { } value)
        {
            writer.WriteBoolean("recovered"u8, value);
        }

        if (join is { } header)
        {
            writer.WriteString("instance"u8, header.Instance);
            writer.WriteString("epoch"u8, header.Epoch);
            writer.WriteNumber("protocol"u8, ProtocolVersion);
        }

        writer.WriteEndObject();
        return Finish(buffer, writer);
    }

    /// <summary>
    /// A live message frame built from a stored message: the same bytes the append script
    /// published for it. Used when a room fills a gap from the stream.
    /// </summary>
    public static byte[] Message(ChatMessage message)
    {
        var (buffer, writer) = RentWriter();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "message"u8);
        writer.WritePropertyName("message"u8);
        MessageJson.Write(writer, message);
        writer.WriteEndObject();
        return Finish(buffer, writer);
    }

    /// <summary>
    /// The text after the id in a live message frame: <c>","room_id":...,"client_id":...}}</c>.
    /// The append script publishes <c>prefix + id + suffix</c>, so the frame is complete the moment
    /// Redis assigns the id and every replica forwards it as is.
    /// </summary>
    public static byte[] MessageSuffix(string roomId, string username, string content, string timestamp, string? clientId)
    {
        var (buffer, writer) = RentWriter();
        // Write a whole object, then turn its opening brace into the comma that follows the id.
        buffer.Write("\""u8);
        writer.WriteStartObject();
        MessageJson.WriteFieldsAfterId(writer, roomId, username, content, timestamp, clientId);
        writer.WriteEndObject();
        writer.Flush();
        buffer.Write("}"u8);
        var frame = buffer.WrittenSpan.ToArray();
        frame[1] = (byte)',';
        ReleaseIfLarge(buffer);
        return frame;
    }

    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) RentWriter()
    {
        var cached = t_writer ??= new FrameWriter();
        cached.Buffer.ResetWrittenCount();
        cached.Writer.Reset(cached.Buffer);
        return (cached.Buffer, cached.Writer);
    }

    private static byte[] Finish(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        writer.Flush();
        var frame = buffer.WrittenSpan.ToArray();
        ReleaseIfLarge(buffer);
        return frame;
    }

    /// <summary>
    /// A history frame can take a megabyte; keeping a buffer that size per pool thread for the
    /// process's lifetime would cost far more than building the next large frame afresh.
    /// </summary>
    private static void ReleaseIfLarge(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > RetainedWriterBytes)
        {
            t_writer = null;
        }
    }

    private sealed class FrameWriter
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new(1024);

        public Utf8JsonWriter Writer { get; }

        public FrameWriter() => Writer = new Utf8JsonWriter(Buffer, MessageJson.WriterOptions);
    }
}

/// <summary>What the first frame of every join carries besides history: the replica and the room's epoch.</summary>
public readonly record struct JoinHeader(string Instance, string Epoch);
