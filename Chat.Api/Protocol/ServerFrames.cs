using System.Buffers;
using System.Text.Json;

namespace Chat.Api.Protocol;

/// <summary>
/// Builds the frames the server sends. Each is serialized once into its own byte array, which is
/// then queued to as many members as need it; nothing is serialized per recipient.
/// </summary>
public static class ServerFrames
{
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

        writer.WriteEndObject();
        return Finish(buffer, writer);
    }

    /// <summary>
    /// <c>{"type":"messages","messages":[...]}</c>, the seed's history frame. <paramref name="recovered"/>
    /// is written on resume; <paramref name="instance"/> on the first frame of a connection.
    /// </summary>
    public static byte[] Messages(IReadOnlyList<ChatMessage> messages, int start, int count, bool? recovered, string? instance)
    {
        var (buffer, writer) = RentWriter();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "messages"u8);
        writer.WriteStartArray("messages"u8);
        for (var i = start; i < start + count; i++)
        {
            MessageJson.Write(writer, messages[i]);
        }

        writer.WriteEndArray();
        if (recovered is { } value)
        {
            writer.WriteBoolean("recovered"u8, value);
        }

        if (instance is not null)
        {
            writer.WriteString("instance"u8, instance);
        }

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
        return buffer.WrittenSpan.ToArray();
    }

    private sealed class FrameWriter
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new(1024);

        public Utf8JsonWriter Writer { get; }

        public FrameWriter() => Writer = new Utf8JsonWriter(Buffer, MessageJson.WriterOptions);
    }
}
