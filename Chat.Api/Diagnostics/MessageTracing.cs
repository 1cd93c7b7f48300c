using System.Diagnostics;
using Chat.Api.Options;
using Microsoft.Extensions.Options;

namespace Chat.Api.Diagnostics;

/// <summary>
/// Traces of chat messages, sampled: <c>Chat:MessageTraceRatio</c> of messages get a
/// <c>chat.message receive</c> span on the replica that took them, a <c>chat.append</c> span
/// for the Redis call that stored them (with the batch it was part of), and a
/// <c>chat.message dispatch</c> span on every replica that fans them out, all one trace: the
/// trace context travels in the publication, only for sampled messages. The rest cost one
/// random draw each. Everything else about a message (counts, latencies) is a metric.
/// </summary>
public sealed class MessageTracing(IOptions<ChatOptions> options)
{
    public static readonly ActivitySource Source = new(ChatMetrics.MeterName);

    private readonly double _ratio = options.Value.MessageTraceRatio;

    /// <summary>A sampled message's receive span, or null for most messages (and whenever nobody listens).</summary>
    public Activity? StartReceive(string roomId)
    {
        if (_ratio <= 0 || (_ratio < 1 && Random.Shared.NextDouble() >= _ratio) || !Source.HasListeners())
        {
            return null;
        }

        // A root: the socket's request span was cleared so that it does not collect every message.
        var activity = Source.StartActivity("chat.message receive", ActivityKind.Consumer, parentContext: default);
        activity?.SetTag("chat.room_id", roomId);
        return activity is { Recorded: true } ? activity : Discard(activity);
    }

    /// <summary>The span of one append call carrying <paramref name="sampled"/> (the first sampled message's trace; the others linked).</summary>
    public static Activity? StartAppend(string roomId, int batchSize, IReadOnlyList<ActivityContext> sampled)
    {
        IEnumerable<ActivityLink>? links = sampled.Count > 1 ? sampled.Skip(1).Select(c => new ActivityLink(c)) : null;
        var activity = Source.StartActivity("chat.append", ActivityKind.Internal, sampled[0], links: links);
        activity?.SetTag("chat.room_id", roomId);
        activity?.SetTag("chat.append.batch_size", batchSize);
        // The span is the Redis call (its command spans are off, see ChatApiExtensions).
        activity?.SetTag("db.system.name", "redis");
        activity?.SetTag("db.operation.name", "EVALSHA");
        return activity;
    }

    /// <summary>A dispatch span for a message published with a trace context, parented to it.</summary>
    public static Activity? StartDispatch(string roomId, ReadOnlySpan<byte> traceParent, int members)
    {
        if (!ActivityContext.TryParse(System.Text.Encoding.ASCII.GetString(traceParent), null, out var parent))
        {
            return null;
        }

        var activity = Source.StartActivity("chat.message dispatch", ActivityKind.Consumer, parent);
        activity?.SetTag("chat.room_id", roomId);
        activity?.SetTag("chat.members", members);
        return activity;
    }

    private static Activity? Discard(Activity? activity)
    {
        activity?.Dispose();
        return null;
    }
}
