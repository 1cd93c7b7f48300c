using Chat.Api.Options;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Chat.Api.Diagnostics;
using Microsoft.Extensions.Options;

namespace Chat.Api.Connections;

/// <summary>The singletons every connection uses, resolved once instead of per connection.</summary>
public sealed class ChatConnectionServices(
    MessageLog messageLog,
    AppendBatcher appends,
    MessageTracing tracing,
    RoomRegistry rooms,
    ConnectionTracker tracker,
    ChatMetrics metrics,
    ServerInstance instance,
    IOptions<ChatOptions> options,
    IOptions<LimitsOptions> limits,
    TimeProvider time,
    Identity.AccessTokenValidator tokens,
    Limits.MessageRateLimiter messageRate,
    Limits.UserSockets userSockets,
    RoomAccess access,
    ControlChannel control,
    RoomActivity activity,
    ReplicaPresence presence,
    PresenceStore presenceStore,
    ILogger<ChatConnection> logger)
{
    /// <summary>This replica's presence counts and typing throttle.</summary>
    public ReplicaPresence Presence { get; } = presence;

    /// <summary>Where a joining member's presence snapshot is read.</summary>
    public PresenceStore PresenceStore { get; } = presenceStore;

    /// <summary>Asked at join only when the handshake could not ask (Redis was unavailable then).</summary>
    public RoomAccess Access { get; } = access;

    public ControlChannel Control { get; } = control;

    /// <summary>The rooms directory's index: touched on join, leave and every message, never awaited.</summary>
    public RoomActivity Activity { get; } = activity;

    public Identity.AccessTokenValidator Tokens { get; } = tokens;

    public Limits.MessageRateLimiter MessageRate { get; } = messageRate;

    public Limits.UserSockets UserSockets { get; } = userSockets;

    public MessageLog MessageLog { get; } = messageLog;

    /// <summary>Where a connection's messages go to be stored: batched per room.</summary>
    public AppendBatcher Appends { get; } = appends;

    /// <summary>Which messages are traced (a sampled few).</summary>
    public MessageTracing Tracing { get; } = tracing;

    public RoomRegistry Rooms { get; } = rooms;

    public ConnectionTracker Tracker { get; } = tracker;

    public ChatMetrics Metrics { get; } = metrics;

    public ServerInstance Instance { get; } = instance;

    public ChatOptions Options { get; } = options.Value;

    public LimitsOptions Limits { get; } = limits.Value;

    /// <summary>
    /// Messages per history read while resuming: as many as fit the outgoing bound at the largest
    /// stored size, so a resuming socket holds about one bound of messages in memory, not
    /// <c>Chat:ResumeBatchSize</c> of the largest.
    /// </summary>
    public int ResumePageSize { get; } = ResumePaging.PageSize(options.Value);

    /// <summary>
    /// <c>Chat:MessagesInFlightPerConnection</c>, or 1 when batching is off: without the room's
    /// queue, a socket's overlapping script calls could run out of order when Redis must be sent
    /// the script again (NOSCRIPT after a SCRIPT FLUSH, a failover or a script eviction), and a
    /// sender's messages would be stored out of the order it sent them.
    /// </summary>
    public int MessagesInFlight { get; } = options.Value.AppendBatchSize == 1 ? 1 : options.Value.MessagesInFlightPerConnection;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;
}
