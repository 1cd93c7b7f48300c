using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace Chat.LoadTest;

/// <summary>
/// Message content that carries its own bookkeeping: <c>sender:seq:intended:sent:</c> then padding.
/// Receivers recover who sent it, its place in the sender's sequence (for loss and duplicate
/// counting), when it was meant to be sent (the reported latency counts from then, so a stalled
/// sender cannot hide queueing: no coordinated omission) and when it actually left (the
/// difference is the generator's own scheduling lag, reported separately).
/// </summary>
public static class MessageStamp
{
    /// <summary>Room for three numbers and their separators.</summary>
    public const int MinimumSize = 64;

    public static string Create(int sender, long sequence, long intendedTimestamp, long sentTimestamp, int size)
    {
        var head = $"{sender}:{sequence}:{intendedTimestamp}:{sentTimestamp}:";
        return head.Length >= size ? head : head + new string('x', size - head.Length);
    }

    /// <summary>Reads a stamp from the start of UTF-8 content (JSON-unescaped: stamps are ASCII).</summary>
    public static bool TryRead(ReadOnlySpan<byte> content, out int sender, out long sequence, out long intendedTimestamp, out long sentTimestamp)
    {
        sender = 0;
        sequence = 0;
        intendedTimestamp = 0;
        sentTimestamp = 0;
        if (!Utf8Parser.TryParse(content, out sender, out var used) || used >= content.Length || content[used] != ':')
        {
            return false;
        }

        content = content[(used + 1)..];
        if (!Utf8Parser.TryParse(content, out sequence, out used) || used >= content.Length || content[used] != ':')
        {
            return false;
        }

        content = content[(used + 1)..];
        if (!Utf8Parser.TryParse(content, out intendedTimestamp, out used) || used >= content.Length || content[used] != ':')
        {
            return false;
        }

        content = content[(used + 1)..];
        return Utf8Parser.TryParse(content, out sentTimestamp, out used) && used < content.Length && content[used] == ':';
    }

    public static long Now() => Stopwatch.GetTimestamp();

    public static double ToMicroseconds(long stopwatchTicks) => stopwatchTicks * 1_000_000.0 / Stopwatch.Frequency;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
