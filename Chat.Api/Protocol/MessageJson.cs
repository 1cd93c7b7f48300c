using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Chat.Api.Protocol;

/// <summary>The JSON shape of a message object and the encoder every frame uses.</summary>
public static class MessageJson
{
    /// <summary>
    /// Leaves non-ASCII text readable (no \uXXXX for every accented letter) but still escapes
    /// HTML-sensitive characters, so a frame pasted into a page cannot open a tag.
    /// </summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = Encoder, SkipValidation = true };

    /// <summary>Length of <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    public const int TimestampLength = 24;

    public static void Write(Utf8JsonWriter writer, ChatMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, message.Id);
        WriteFieldsAfterId(writer, message.RoomId, message.Username, message.Content, message.Timestamp, message.ClientId);
        writer.WriteEndObject();
    }

    /// <summary>Every field but <c>id</c>, in wire order. Live frames get their id from Redis.</summary>
    public static void WriteFieldsAfterId(Utf8JsonWriter writer, string roomId, string username, string content, string timestamp, string? clientId)
    {
        writer.WriteString("room_id"u8, roomId);
        writer.WriteString("username"u8, username);
        writer.WriteString("content"u8, content);
        writer.WriteString("timestamp"u8, timestamp);
        if (clientId is null)
        {
            writer.WriteNull("client_id"u8);
        }
        else
        {
            writer.WriteString("client_id"u8, clientId);
        }
    }

    /// <summary>UTC, millisecond precision, with a Z: what clients can sort and parse everywhere.</summary>
    public static string FormatTimestamp(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
