namespace Chat.Api.Protocol;

/// <summary>What a client asked for in one WebSocket message.</summary>
public enum ClientFrameKind
{
    Message,
    Ping,

    /// <summary>A fresh access token for the same subject, renewing the socket's authentication.</summary>
    Auth,

    /// <summary>The user is typing: forwarded to the room's other members, throttled, never stored.</summary>
    Typing,
}

/// <summary>
/// A parsed, validated client frame. <see cref="Content"/> is set for messages,
/// <see cref="AccessToken"/> for <c>auth</c>.
/// </summary>
public readonly record struct ClientFrame(ClientFrameKind Kind, string? Content, string? ClientId, string? AccessToken = null);

/// <summary>
/// Why a client frame was refused; becomes an <c>error</c> frame. <see cref="RetryAfterMs"/> is
/// set for <c>rate_limited</c>.
/// </summary>
public readonly record struct FrameError(string Code, string Message, string? ClientId, int? RetryAfterMs = null);

/// <summary>The <c>code</c> values of error frames.</summary>
public static class ErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string Validation = "validation";
    public const string UnknownType = "unknown_type";
    public const string Unavailable = "unavailable";
    public const string RateLimited = "rate_limited";
    public const string InvalidToken = "invalid_token";
}
