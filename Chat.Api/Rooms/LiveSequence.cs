using System.Text;
using Chat.Api.Protocol;

namespace Chat.Api.Rooms;

/// <summary>What a room's pump does with the next published message.</summary>
public enum LiveStep
{
    /// <summary>It follows the last dispatched message: dispatch it.</summary>
    Next,

    /// <summary>Already dispatched (a gap fill got there first): drop it.</summary>
    Duplicate,

    /// <summary>Messages between the last dispatched one and this one never arrived: fill them from the stream first.</summary>
    Gap,

    /// <summary>It belongs to another incarnation of the stream, or contradicts this one: start over.</summary>
    Restart,
}

/// <summary>
/// The gap check of one room's live stream on this replica: the epoch and the last id the pump
/// dispatched. Every published message names the id before it, so a message that Redis's
/// pub/sub dropped (a killed subscriber connection, a resubscription) shows up as a gap at the
/// next one. Pure state, no I/O; only the room's pump touches it.
/// </summary>
public sealed class LiveSequence
{
    private byte[] _epochUtf8 = [];

    public string Epoch { get; private set; } = "";

    /// <summary><see cref="Epoch"/> as UTF-8, as published messages carry it.</summary>
    public ReadOnlyMemory<byte> EpochUtf8 => _epochUtf8;

    /// <summary>The newest id dispatched (or known to precede everything still to come).</summary>
    public MessageId Last { get; private set; } = MessageId.None;

    /// <summary>Starts over at <paramref name="last"/> of the incarnation <paramref name="epoch"/>.</summary>
    public void Reset(string epoch, MessageId last)
    {
        if (epoch != Epoch)
        {
            Epoch = epoch;
            _epochUtf8 = Encoding.UTF8.GetBytes(epoch);
        }

        Last = last;
    }

    public bool IsEpoch(ReadOnlySpan<byte> epochUtf8) => epochUtf8.SequenceEqual(_epochUtf8);

    public LiveStep Classify(in PublishedMessage message)
    {
        if (!IsEpoch(message.Epoch.Span))
        {
            return LiveStep.Restart;
        }

        if (message.Id <= Last)
        {
            return LiveStep.Duplicate;
        }

        if (message.Previous == Last)
        {
            return LiveStep.Next;
        }

        // The previous id is newer than anything dispatched: those in between were missed. An
        // older one cannot happen within one incarnation (ids only grow), so it means a restart.
        return message.Previous > Last ? LiveStep.Gap : LiveStep.Restart;
    }

    /// <summary>Records <paramref name="id"/> as dispatched.</summary>
    public void Advance(MessageId id)
    {
        if (id > Last)
        {
            Last = id;
        }
    }
}
