using System.Net.WebSockets;

namespace Chat.Api.Connections;

/// <summary>The close codes this server uses (RFC 6455 and the IANA registry), by what they mean here.</summary>
public static class CloseCodes
{
    /// <summary>1003: a binary frame; the protocol is JSON text.</summary>
    public const WebSocketCloseStatus BinaryFrame = WebSocketCloseStatus.InvalidMessageType;

    /// <summary>
    /// 1008: the server's policy ends this socket: its session was signed out, its token expired
    /// or a renewal was refused, it was removed from the private room, or it kept sending past its
    /// rate limit. Reconnecting with the same token will not help.
    /// </summary>
    public const WebSocketCloseStatus PolicyViolation = WebSocketCloseStatus.PolicyViolation;

    /// <summary>1009: a message over the size limit, counted across continuation frames.</summary>
    public const WebSocketCloseStatus MessageTooBig = WebSocketCloseStatus.MessageTooBig;

    /// <summary>1011: an unexpected server error.</summary>
    public const WebSocketCloseStatus ServerError = WebSocketCloseStatus.InternalServerError;

    /// <summary>1012: the replica is restarting; reconnect (with <c>since</c>).</summary>
    public const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    /// <summary>1013: the member fell too far behind, or Redis was unavailable at join; reconnect with <c>since</c>.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;
}
