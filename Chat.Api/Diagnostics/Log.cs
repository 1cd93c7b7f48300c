using System.Net.WebSockets;

namespace Chat.Api.Diagnostics;

/// <summary>All of the API's log messages, source-generated, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} opened: {Username} in room {RoomId}", EventName = "ConnectionOpened")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, string username, string roomId);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} closed with {CloseStatus}", EventName = "ConnectionClosed")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId, WebSocketCloseStatus? closeStatus);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId} frame rejected: {Code}", EventName = "FrameRejected")]
    public static partial void FrameRejected(ILogger logger, string connectionId, string code);

    /// <summary>Level chosen by the caller: a shutdown's 1012 is routine, a 1011 is not.</summary>
    [LoggerMessage(EventId = 4, Message = "Connection {ConnectionId} closing with {CloseStatus}: {Reason}", EventName = "ConnectionClosing")]
    public static partial void ConnectionClosing(ILogger logger, LogLevel level, string connectionId, WebSocketCloseStatus closeStatus, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Redis append failed in room {RoomId}; the sender was told to retry", EventName = "AppendFailed")]
    public static partial void AppendFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "Joining room {RoomId} failed; the client was told to retry (1013)", EventName = "JoinFailed")]
    public static partial void JoinFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(7, LogLevel.Debug, "Subscribed to room {RoomId}", EventName = "RoomSubscribed")]
    public static partial void RoomSubscribed(ILogger logger, string roomId);

    [LoggerMessage(8, LogLevel.Debug, "Unsubscribed from room {RoomId}", EventName = "RoomUnsubscribed")]
    public static partial void RoomUnsubscribed(ILogger logger, string roomId);

    [LoggerMessage(9, LogLevel.Warning, "Unsubscribing from room {RoomId} failed", EventName = "UnsubscribeFailed")]
    public static partial void UnsubscribeFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "The delivery pump of room {RoomId} failed", EventName = "PumpFailed")]
    public static partial void PumpFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "Ignored a malformed publish on room {RoomId}'s channel", EventName = "MalformedPublish")]
    public static partial void MalformedPublish(ILogger logger, string roomId);

    [LoggerMessage(12, LogLevel.Error, "Connection {ConnectionId} failed unexpectedly", EventName = "ConnectionFailed")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(13, LogLevel.Information, "Closing {Count} connections for shutdown", EventName = "ShutdownClosing")]
    public static partial void ShutdownClosing(ILogger logger, int count);

    [LoggerMessage(14, LogLevel.Warning, "Room {RoomId}'s stream changed incarnation from epoch {OldEpoch} to {NewEpoch}; its members reconnect", EventName = "StreamRestarted")]
    public static partial void StreamRestarted(ILogger logger, string roomId, string oldEpoch, string newEpoch);

    [LoggerMessage(15, LogLevel.Warning, "Room {RoomId} could not check its stream after a resubscription", EventName = "ResyncFailed")]
    public static partial void ResyncFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "Room {RoomId} could not read the messages it missed; its members reconnect", EventName = "GapFillFailed")]
    public static partial void GapFillFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(17, LogLevel.Warning, "Room {RoomId} missed messages after {From} up to {To} that it cannot fill; its members reconnect", EventName = "GapUnfillable")]
    public static partial void GapUnfillable(ILogger logger, string roomId, string from, string to);

    [LoggerMessage(18, LogLevel.Warning, "Redis {ConnectionType} connection to {EndPoint} failed: {FailureType}", EventName = "RedisConnectionFailed")]
    public static partial void RedisConnectionFailed(ILogger logger, StackExchange.Redis.ConnectionType connectionType, string? endPoint, StackExchange.Redis.ConnectionFailureType failureType, Exception? exception);

    [LoggerMessage(19, LogLevel.Information, "Redis {ConnectionType} connection to {EndPoint} restored", EventName = "RedisConnectionRestored")]
    public static partial void RedisConnectionRestored(ILogger logger, StackExchange.Redis.ConnectionType connectionType, string? endPoint);

    [LoggerMessage(20, LogLevel.Error, "Connection {ConnectionId} could not leave its room cleanly", EventName = "LeaveFailed")]
    public static partial void LeaveFailed(ILogger logger, string connectionId, Exception exception);

    /// <summary>Information, not Warning: a refused page is the client's doing, yet an operator who forgot an origin should see it.</summary>
    [LoggerMessage(21, LogLevel.Information, "Refused {Method} {Path} from origin {Origin}: not in Security:AllowedOrigins", EventName = "OriginRefused")]
    public static partial void OriginRefused(ILogger logger, string origin, string method, PathString path);

    // Identity and limits (30–39).
    [LoggerMessage(30, LogLevel.Warning, "Could not check a token's session in Redis; it is accepted on its signature alone", EventName = "SessionCheckSkipped")]
    public static partial void SessionCheckSkipped(ILogger logger, Exception exception);

    [LoggerMessage(31, LogLevel.Warning, "Could not subscribe to the control channel yet; it is retried when Redis answers", EventName = "ControlSubscribeFailed")]
    public static partial void ControlSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(32, LogLevel.Warning, "Could not recheck the sockets' sessions after a resubscription", EventName = "ControlRecheckFailed")]
    public static partial void ControlRecheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(33, LogLevel.Warning, "Could not renew the sockets' places in the per-user socket count", EventName = "SocketLeaseRenewFailed")]
    public static partial void SocketLeaseRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(34, LogLevel.Information, "Handshake for room {RoomId} refused with {Status}: {Reason}", EventName = "HandshakeRefused")]
    public static partial void HandshakeRefused(ILogger logger, string roomId, int status, string reason);

    // Rooms and membership (40–49).
    [LoggerMessage(40, LogLevel.Warning, "Could not check access to room {RoomId} at the handshake; the join checks it before sending anything", EventName = "RoomAccessUnavailable")]
    public static partial void RoomAccessUnavailable(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(41, LogLevel.Information, "Room {RoomId} created by {Subject} (private: {IsPrivate})", EventName = "RoomCreated")]
    public static partial void RoomCreated(ILogger logger, string roomId, string subject, bool isPrivate);

    [LoggerMessage(42, LogLevel.Information, "{Subject} added to private room {RoomId}", EventName = "MemberAdded")]
    public static partial void MemberAdded(ILogger logger, string roomId, string subject);

    [LoggerMessage(43, LogLevel.Information, "{Subject} removed from private room {RoomId}; their sockets there are closed", EventName = "MemberRemoved")]
    public static partial void MemberRemoved(ILogger logger, string roomId, string subject);
    // Presence and typing (50–59).
    [LoggerMessage(50, LogLevel.Warning, "Could not write this replica's presence in room {RoomId}; the next heartbeat rewrites it", EventName = "PresenceWriteFailed")]
    public static partial void PresenceWriteFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(51, LogLevel.Warning, "Could not renew this replica's presence in room {RoomId}; its users are reported gone after Presence:Ttl unless a later heartbeat succeeds", EventName = "PresenceRenewFailed")]
    public static partial void PresenceRenewFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(52, LogLevel.Warning, "This replica's presence in room {RoomId} had expired (frozen or cut off for longer than Presence:Ttl); restored", EventName = "PresenceRestored")]
    public static partial void PresenceRestored(ILogger logger, string roomId);

    [LoggerMessage(53, LogLevel.Warning, "The presence heartbeat or sweep failed; retried at the next beat", EventName = "PresenceSweepFailed")]
    public static partial void PresenceSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(54, LogLevel.Warning, "Could not read the presence of room {RoomId}; its members miss this snapshot", EventName = "PresenceSnapshotFailed")]
    public static partial void PresenceSnapshotFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(55, LogLevel.Warning, "Ignored a malformed presence signal on room {RoomId}'s channel", EventName = "MalformedPresenceSignal")]
    public static partial void MalformedPresenceSignal(ILogger logger, string roomId);

    // Rooms directory (60–69).
    [LoggerMessage(60, LogLevel.Debug, "Rooms directory: {Removed} idle rooms removed, {Kept} kept because someone is online", EventName = "DirectoryTrimmed")]
    public static partial void DirectoryTrimmed(ILogger logger, long removed, int kept);

    [LoggerMessage(61, LogLevel.Warning, "Rooms directory: removing idle rooms failed; the listing goes on and the next first page tries again", EventName = "DirectoryTrimFailed")]
    public static partial void DirectoryTrimFailed(ILogger logger, Exception exception);
}
