using System.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Protocol;

namespace Chat.Api.Storage;

/// <summary>
/// One message waiting to be appended: what the script stores and publishes, prepared by the
/// sender's receive loop (so the batch's flush only copies references), and the task its sender
/// awaits for the id. Continuations run asynchronously: completing a batch must not run every
/// sender's next frame inline on the flushing thread.
/// </summary>
public sealed class PendingAppend(ChatUser user, string content, string? clientId, string timestamp, byte[] publishPrefix, byte[] frameSuffix, Activity? trace)
    : TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public ChatUser User { get; } = user;

    public string Content { get; } = content;

    /// <summary>The sender's idempotency key; null when it gave none (never empty).</summary>
    public string? ClientId { get; } = clientId;

    /// <summary>The stored <c>timestamp</c> (ISO 8601, UTC).</summary>
    public string Timestamp { get; } = timestamp;

    /// <summary>The receive ticks and a space (<see cref="PublishedMessage.CreatePrefix"/>).</summary>
    public byte[] PublishPrefix { get; } = publishPrefix;

    /// <summary>The live frame after its id (<see cref="ServerFrames.MessageSuffix"/>).</summary>
    public byte[] FrameSuffix { get; } = frameSuffix;

    /// <summary>The message's receive span when it was sampled for tracing (<see cref="Diagnostics.MessageTracing"/>), else null.</summary>
    public Activity? Trace { get; } = trace;

    /// <summary>What the message adds to a batch's script call and publication, roughly.</summary>
    public int Size => Content.Length + FrameSuffix.Length;

    public static PendingAppend Create(RoomKeys room, ChatUser user, string content, string? clientId, DateTime receivedAtUtc, Activity? trace)
    {
        var timestamp = MessageJson.FormatTimestamp(receivedAtUtc);
        return new PendingAppend(user, content, clientId, timestamp,
            PublishedMessage.CreatePrefix(receivedAtUtc, trace?.Id),
            ServerFrames.MessageSuffix(room.RoomId, user.Name, content, timestamp, clientId),
            trace);
    }
}
