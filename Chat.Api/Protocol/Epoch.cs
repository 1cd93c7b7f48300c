using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Chat.Api.Protocol;

/// <summary>
/// Names one incarnation of a room's stream. It changes whenever the stream is recreated (Redis
/// restarted without persistence, a flush, an evicted or deleted key), so a client's
/// <c>since</c> from an earlier incarnation is never mistaken for a position in this one.
/// </summary>
public static class Epoch
{
    public const int MaxLength = 32;

    public const string Pattern = "^[A-Za-z0-9_-]{1,32}$";

    private static readonly SearchValues<char> s_allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    /// <summary>
    /// Six random letters and digits, different in every process. The scripts that start a new
    /// incarnation append Redis's clock (seconds and microseconds) to it: unique across replicas
    /// (the random part) and across incarnations made by one replica (the clock).
    /// </summary>
    public static string CreateSeed() =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 6);

    public static bool IsValid([NotNullWhen(true)] string? epoch) =>
        epoch is { Length: > 0 and <= MaxLength } && !epoch.AsSpan().ContainsAnyExcept(s_allowed);
}
