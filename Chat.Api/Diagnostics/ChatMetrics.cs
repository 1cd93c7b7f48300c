using System.Diagnostics.Metrics;

namespace Chat.Api.Diagnostics;

/// <summary>
/// The chat API's instruments, on the <c>Chat.Api</c> meter the service defaults export.
/// Process memory and GC figures come from the runtime instrumentation beside it.
/// </summary>
public sealed class ChatMetrics
{
    public const string MeterName = "Chat.Api";

    private readonly UpDownCounter<long> _connections;
    private readonly UpDownCounter<long> _activeRooms;
    private readonly Counter<long> _received;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _gapFilled;
    private readonly Histogram<double> _storeDuration;
    private readonly Histogram<double> _deliveryLatency;
    private readonly Histogram<int> _appendBatchSize;

    public ChatMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _connections = meter.CreateUpDownCounter<long>("chat.connections", "{connection}", "Open chat WebSockets on this replica.");
        _activeRooms = meter.CreateUpDownCounter<long>("chat.rooms.active", "{room}", "Rooms this replica has members in (and a subscription for).");
        _received = meter.CreateCounter<long>("chat.messages.received", "{message}", "Valid chat messages received from clients, before storing.");
        _delivered = meter.CreateCounter<long>("chat.messages.delivered", "{message}", "Chat messages written to member sockets.");
        _rejected = meter.CreateCounter<long>("chat.messages.rejected", "{frame}", "Client frames refused, by reason (the error code).");
        _gapFilled = meter.CreateCounter<long>("chat.messages.gap_filled", "{message}",
            "Messages a replica read back from the stream because pub/sub never delivered them.");
        _storeDuration = meter.CreateHistogram<double>("chat.message.store.duration", "ms", "Time to run the append script in Redis.");
        _deliveryLatency = meter.CreateHistogram<double>("chat.message.delivery.latency", "ms",
            "From the server receiving a message to writing it to a member's socket.");
        _appendBatchSize = meter.CreateHistogram<int>("chat.append.batch.size", "{message}",
            "Messages per append script call: a room's messages that waited while its previous call ran go together.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    }

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void RoomActivated() => _activeRooms.Add(1);

    public void RoomDeactivated() => _activeRooms.Add(-1);

    public void MessageReceived() => _received.Add(1);

    public void FrameRejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void GapFilled(int count) => _gapFilled.Add(count);

    public void MessageStored(TimeSpan duration) => _storeDuration.Record(duration.TotalMilliseconds);

    /// <summary>Called once per append script call, with the messages it carried.</summary>
    public void AppendBatched(int count) => _appendBatchSize.Record(count);

    /// <summary>Called once per message written to a member's socket.</summary>
    public void MessageDelivered(long receivedAtTicks, long nowTicks)
    {
        _delivered.Add(1);
        _deliveryLatency.Record((nowTicks - receivedAtTicks) / (double)TimeSpan.TicksPerMillisecond);
    }
}
