using System.Globalization;

namespace Chat.Baselines;

/// <summary>An in-process room: hands out message ids and fans frames out in id order.</summary>
internal sealed class InProcessRoom(string id) : Room<InProcessConnection>(id)
{
    /// <summary>What every message frame starts with; the id goes right after it.</summary>
    public static ReadOnlySpan<byte> FramePrefix => "{\"type\":\"message\",\"message\":{\"id\":\""u8;

    /// <summary>The longest id: two 19-digit numbers and the dash.</summary>
    public const int MaxIdLength = 39;

    private long _lastMilliseconds;
    private long _sequence;

    /// <summary>
    /// Gives a message the room's next id, <c>{unix_ms}-{seq}</c> like a Redis stream id, and
    /// queues its frame to every member. Both happen under the room's lock, so ids strictly
    /// increase and every member sees the same order; the frame was serialized before, with an
    /// empty id right after <see cref="FramePrefix"/>, so the lock only covers a copy.
    /// </summary>
    /// <returns>The id's length in <paramref name="id"/>.</returns>
    public int Publish(ReadOnlySpan<byte> frameWithoutId, Span<byte> id)
    {
        var prefixLength = FramePrefix.Length;
        lock (Gate)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (now > _lastMilliseconds)
            {
                _lastMilliseconds = now;
                _sequence = 0;
            }
            else
            {
                // Same millisecond, or the clock stepped back: keep the last time, count on.
                _sequence++;
            }

            _lastMilliseconds.TryFormat(id, out var msLength, provider: CultureInfo.InvariantCulture);
            id[msLength] = (byte)'-';
            _sequence.TryFormat(id[(msLength + 1)..], out var sequenceLength, provider: CultureInfo.InvariantCulture);
            var idLength = msLength + 1 + sequenceLength;

            var frame = new byte[frameWithoutId.Length + idLength];
            frameWithoutId[..prefixLength].CopyTo(frame);
            id[..idLength].CopyTo(frame.AsSpan(prefixLength));
            frameWithoutId[prefixLength..].CopyTo(frame.AsSpan(prefixLength + idLength));

            var members = Members;
            for (var i = 0; i < members.Length; i++)
            {
                members[i].Enqueue(frame);
            }

            return idLength;
        }
    }
}
