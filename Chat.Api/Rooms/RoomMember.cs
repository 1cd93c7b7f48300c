using Chat.Api.Connections;
using Chat.Api.Protocol;

namespace Chat.Api.Rooms;

/// <summary>
/// A connection's place in a room. It joins in catch-up mode: live messages that arrive while its
/// history is read are held back, then released above the last id the history contained. From
/// then on every delivery is checked against the last id sent, so a member never receives a
/// message twice or out of order, whichever path it came by.
/// </summary>
public sealed class RoomMember(Outbox outgoing, int catchUpCapacity)
{
    private readonly Lock _catchUpLock = new();
    private List<PublishedMessage>? _heldBack = [];

    // Written by the room's pump only once catch-up is over (and under the lock before that).
    private MessageId _lastSent = MessageId.None;

    public Outbox Outgoing { get; } = outgoing;

    /// <summary>Called by the room's pump, one message at a time, in stream order.</summary>
    public void Deliver(in PublishedMessage message)
    {
        if (Volatile.Read(ref _heldBack) is not null)
        {
            lock (_catchUpLock)
            {
                if (_heldBack is { } heldBack)
                {
                    if (heldBack.Count >= catchUpCapacity)
                    {
                        // Same outcome as a full outgoing queue: this member reconnects with since.
                        Outgoing.ReportOverflow();
                        heldBack.Clear();
                        return;
                    }

                    heldBack.Add(message);
                    return;
                }
            }
        }

        Send(message);
    }

    /// <summary>
    /// Ends catch-up: <paramref name="lastHistoryId"/> is the newest id the member was sent as
    /// history (or its <c>since</c>); held-back messages at or below it are dropped, the rest sent.
    /// </summary>
    public void CompleteCatchUp(MessageId lastHistoryId)
    {
        lock (_catchUpLock)
        {
            if (lastHistoryId > _lastSent)
            {
                _lastSent = lastHistoryId;
            }

            foreach (var message in _heldBack ?? [])
            {
                Send(message);
            }

            Volatile.Write(ref _heldBack, null);
        }
    }

    private void Send(in PublishedMessage message)
    {
        if (message.Id <= _lastSent)
        {
            return;
        }

        _lastSent = message.Id;
        Outgoing.TryEnqueue(new OutgoingFrame(message.Frame, message.ReceivedAtTicks));
    }
}
