using Chat.Api.Diagnostics;
using Chat.Api.Storage;

namespace Chat.Api.Rooms;

/// <summary>
/// What every room of this replica shares: where it reads, subscribes, counts and logs; the
/// largest hole it fills from the stream, and how many messages one read of it takes; and for
/// presence, where snapshots are read, the clock of its windows and their settings.
/// </summary>
internal sealed record RoomContext(
    MessageLog Log,
    RoomSubscriptions Subscriptions,
    ChatMetrics Metrics,
    ILogger Logger,
    int FillLimit,
    int PageSize,
    PresenceStore Presence,
    TimeProvider Time,
    Options.PresenceOptions PresenceOptions);
