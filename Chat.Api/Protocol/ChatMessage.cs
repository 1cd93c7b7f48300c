using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Api.Protocol;

/// <summary>
/// A stored chat message as clients see it. <see cref="Timestamp"/> is the server's receive time,
/// UTC ISO-8601 with milliseconds; <see cref="Username"/> always comes from the sender's token.
/// </summary>
[JsonConverter(typeof(ChatMessageJsonConverter))]
public sealed record ChatMessage(string Id, string RoomId, string Username, string Content, string Timestamp, string? ClientId);

/// <summary>
/// Writes a message with <see cref="MessageJson"/>, so history, REST pages and live frames share
/// one shape. Messages are never read from clients in this form.
/// </summary>
internal sealed class ChatMessageJsonConverter : JsonConverter<ChatMessage>
{
    public override ChatMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Messages are written by the server, never read in this shape.");

    public override void Write(Utf8JsonWriter writer, ChatMessage value, JsonSerializerOptions options) =>
        MessageJson.Write(writer, value);
}
