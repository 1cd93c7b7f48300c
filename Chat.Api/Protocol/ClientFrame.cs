namespace Chat.Api.Protocol;

/// <summary>What a client asked for in one WebSocket message.</summary>
public enum ClientFrameKind
{
    Message,
    Ping,
}

/// <summary>A parsed, validated client frame. <see cref="Content"/> is set for messages.</summary>
public readonly record struct ClientFrame(ClientFrameKind Kind, string? Content, string? ClientId);

/// <summary>Why a client frame was refused; becomes an <c>error</c> frame.</summary>
public readonly record struct FrameError(string Code, string Message, string? ClientId);

/// <summary>The <c>code</c> values of error frames.</summary>
public static class ErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string Validation = "validation";
    public const string UnknownType = "unknown_type";
    public const string Unavailable = "unavailable";
}
