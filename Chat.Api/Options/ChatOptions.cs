using System.ComponentModel.DataAnnotations;

namespace Chat.Api.Options;

/// <summary>Limits and behaviour of rooms and messages. Configuration section <c>Chat</c>.</summary>
public sealed class ChatOptions
{
    public const string SectionName = "Chat";

    /// <summary>Longest message content, in Unicode scalar values (what a user would call characters).</summary>
    [Range(1, 100_000)]
    public int MaxContentLength { get; set; } = 4000;

    /// <summary>
    /// Largest WebSocket message accepted, in bytes, counted across continuation frames.
    /// Must fit any valid content written as plain JSON; the validator checks that.
    /// </summary>
    [Range(1024, 4 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 16 * 1024;

    /// <summary>How many recent messages a member receives on joining (the seed's 50).</summary>
    [Range(1, 1000)]
    public int HistoryLength { get; set; } = 50;

    /// <summary>Messages kept per room; older ones are trimmed approximately (XADD MAXLEN ~).</summary>
    [Range(100, 10_000_000)]
    public int RetentionPerRoom { get; set; } = 10_000;

    /// <summary>How long a <c>client_id</c> makes a resend idempotent.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most messages in one resume frame.</summary>
    [Range(1, 5000)]
    public int ResumeBatchSize { get; set; } = 500;

    /// <summary>
    /// Bytes that may wait for one member (queued, or being written to its socket) before it is
    /// disconnected with 1013 (it then resumes with <c>since</c>). Bounds the memory one slow
    /// member can pin; history frames are cut to a quarter of it. Replaces the frame count
    /// <c>Chat:OutgoingQueueCapacity</c>, which did not bound memory.
    /// </summary>
    [Range(64 * 1024, 1024L * 1024 * 1024)]
    public long OutgoingQueueBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// After Redis's subscription connection is restored, rooms check the stream for missed
    /// messages at once and again after this delay, in case resubscribing took longer.
    /// </summary>
    public TimeSpan ResyncDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most messages of one room that go to Redis in one append script call (and one publish).
    /// A room's messages that arrive while its previous call is running wait for it and then go
    /// together, so a lone message goes at once and a busy room pays one round trip per batch,
    /// not per message. A batch is also cut at a quarter of <see cref="OutgoingQueueBytes"/>, so
    /// it always fits a member's queue. 1 turns batching off: every message is its own call, and
    /// a room's calls overlap.
    /// </summary>
    [Range(1, 256)]
    public int AppendBatchSize { get; set; } = 32;

    /// <summary>
    /// Messages one connection may have waiting to be stored: while fewer are, the next frame is
    /// read at once, so a client that sends without waiting for each ack fills its room's append
    /// batch. At the bound the connection reads nothing more until they are all acked. Acks go
    /// back in arrival order. 1 handles one message at a time; so does <see cref="AppendBatchSize"/> 1
    /// (see ChatConnectionServices.MessagesInFlight).
    /// </summary>
    [Range(1, 1000)]
    public int MessagesInFlightPerConnection { get; set; } = 32;

    /// <summary>
    /// The share of chat messages traced (0 to 1): a sampled message is one trace across replicas
    /// (receive, append, each replica's dispatch) and its Redis call is a span in it. Unsampled
    /// messages make no span at all, and the hot path's Redis commands none either; metrics count
    /// every message whatever this says. Decided per message before any span exists, so the
    /// sampler the environment sets (the AppHost's <c>always_on</c>) does not make every message a trace.
    /// </summary>
    [Range(0.0, 1.0)]
    public double MessageTraceRatio { get; set; } = 0.01;

    /// <summary>How long a send waits for Redis before the sender is told <c>unavailable</c>.</summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the server sends a WebSocket ping, which keeps idle proxies and NATs from dropping
    /// the connection and, with <see cref="KeepAliveTimeout"/>, finds peers that are gone.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the server waits for the pong to its ping before it aborts the socket: a dead,
    /// half-open or never-reading peer is dropped within interval + timeout. A reader far behind
    /// (its ping queued after megabytes of frames) is dropped too, and resumes with since.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the server waits for the client's reply to a close frame before aborting.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a room without messages, joins or leaves stays in the rooms directory
    /// (<c>GET /api/rooms</c>); a room with members online stays regardless. Its history follows
    /// <see cref="RetentionPerRoom"/> either way, and its next message lists it again.
    /// </summary>
    public TimeSpan DirectoryIdleTime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The rooms directory's index is written at most once per room and replica in this time: the
    /// first activity after a quiet spell at once, later ones held back and written (the latest
    /// only) by the replica's once-a-second upkeep. A busy room's messages then cost no index
    /// write each; its <c>last_activity</c> and its place in the listing may trail by up to this
    /// interval plus a second. Zero writes every activity. Between 0 and 00:01:00.
    /// </summary>
    public TimeSpan DirectoryWriteInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Names this replica in <c>X-Chat-Instance</c> and the first frame. Defaults to host name and
    /// process id, which tells replicas apart on one machine and across machines.
    /// </summary>
    public string? InstanceId { get; set; }
}
