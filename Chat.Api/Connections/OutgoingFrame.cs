namespace Chat.Api.Connections;

/// <summary>
/// One queued item: a WebSocket text message, or, with <see cref="Batch"/>, the messages of a
/// published batch from index <see cref="First"/> on, each its own WebSocket message.
/// <see cref="ReceivedAtTicks"/> is non-zero for chat messages and feeds the delivery-latency
/// histogram when the frame is written.
/// </summary>
public readonly record struct OutgoingFrame(ReadOnlyMemory<byte> Payload, long ReceivedAtTicks = 0, OutgoingBatch? Batch = null, int First = 0)
{
    public OutgoingFrame(OutgoingBatch batch, int first)
        : this(default, 0, batch, first)
    {
    }

    /// <summary>The bytes this item holds in its outbox until it is written.</summary>
    public int Length => Batch is null ? Payload.Length : Batch.BytesFrom(First);
}
