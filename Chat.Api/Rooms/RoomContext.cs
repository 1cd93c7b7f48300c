using Chat.Api.Diagnostics;
using Chat.Api.Storage;

namespace Chat.Api.Rooms;

/// <summary>What every room of this replica shares: where it reads, subscribes, counts and logs.</summary>
internal sealed record RoomContext(
    MessageLog Log,
    RoomSubscriptions Subscriptions,
    ChatMetrics Metrics,
    ILogger Logger,
    int FillLimit);
