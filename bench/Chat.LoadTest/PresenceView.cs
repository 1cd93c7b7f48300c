using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Chat.LoadTest.Targets;

namespace Chat.LoadTest;

/// <summary>
/// One join-storm member's list of who is in the room, kept as a client must keep it
/// (docs/protocol.md, presence): a <c>presence</c> snapshot replaces the list, <c>join</c> and
/// <c>leave</c> add and remove. Counts what it received; called from the socket's receive loop only.
/// </summary>
public sealed class PresenceView(int expected, TimeSpan burstGap) : IDeliverySink, IFrameSink
{
    private readonly HashSet<string> _users = new(StringComparer.Ordinal);
    private long _lastEventTicks;
    private int _burst;

    /// <summary>When the list first held all <c>expected</c> users (Stopwatch ticks; 0 = not yet).</summary>
    public long ConvergedAt { get; private set; }

    public long ConnectedAt { get; set; }

    /// <summary>The last presence frame's arrival: the end of the storm as this member saw it.</summary>
    public long LastPresenceAt { get; private set; }

    public int Frames { get; private set; }

    public long Bytes { get; private set; }

    public int Snapshots { get; private set; }

    public int Joins { get; private set; }

    public int Leaves { get; private set; }

    /// <summary>
    /// The most join and leave frames that arrived close together (no gap over the burst gap): one
    /// window's batch as near as a client can tell. Not the per-window count itself: when delivery
    /// lags (a slow snapshot read holds the next batches back), two windows' batches arrive as one burst.
    /// </summary>
    public int LargestBurst { get; private set; }

    public bool ClosedByServer { get; private set; }

    /// <summary>The list as it stands (read it only once the socket is quiet).</summary>
    public IReadOnlyCollection<string> Users => _users;

    public void OnFrame() => Frames++;

    public void OnFrameBytes(ReadOnlySpan<byte> frame)
    {
        Bytes += frame.Length;
        var reader = new Utf8JsonReader(frame);
        string? type = null;
        while (reader.Read())
        {
            if (reader.CurrentDepth != 1 || reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetString();
                if (type is not ("presence" or "join" or "leave"))
                {
                    return; // history, messages, typing, pong
                }
            }
            else if (reader.ValueTextEquals("users"u8))
            {
                reader.Read();
                ApplySnapshot(ref reader);
            }
            else if (reader.ValueTextEquals("username"u8))
            {
                reader.Read();
                var user = reader.GetString()!;
                // Only the type says which; it comes first in the server's frames but need not.
                if (type is null)
                {
                    continue;
                }

                ApplyEvent(type, user);
            }
        }
    }

    private void ApplySnapshot(ref Utf8JsonReader reader)
    {
        _users.Clear();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            _users.Add(reader.GetString()!);
        }

        Snapshots++;
        Observed(Stopwatch.GetTimestamp());
    }

    private void ApplyEvent(string type, string user)
    {
        var now = Stopwatch.GetTimestamp();
        if (type == "join")
        {
            Joins++;
            _users.Add(user); // a join of someone listed is a no-op
        }
        else
        {
            Leaves++;
            _users.Remove(user);
        }

        _burst = now - _lastEventTicks > burstGap.TotalSeconds * Stopwatch.Frequency ? 1 : _burst + 1;
        _lastEventTicks = now;
        LargestBurst = Math.Max(LargestBurst, _burst);
        Observed(now);
    }

    private void Observed(long now)
    {
        LastPresenceAt = now;
        if (ConvergedAt == 0 && _users.Count >= expected)
        {
            ConvergedAt = now;
        }
    }

    public void OnMessage(ReadOnlySpan<byte> content)
    {
    }

    public void OnAck()
    {
    }

    public void OnError()
    {
    }

    public void OnClosed(WebSocketCloseStatus? status) => ClosedByServer = true;
}
