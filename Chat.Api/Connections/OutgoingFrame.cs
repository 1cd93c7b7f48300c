namespace Chat.Api.Connections;

/// <summary>
/// One queued WebSocket text message. <see cref="ReceivedAtTicks"/> is non-zero for chat messages
/// and feeds the delivery-latency histogram when the frame is written.
/// </summary>
public readonly record struct OutgoingFrame(ReadOnlyMemory<byte> Payload, long ReceivedAtTicks = 0);
