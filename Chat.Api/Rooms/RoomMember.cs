using Chat.Api.Connections;
using Chat.Api.Protocol;

namespace Chat.Api.Rooms;

/// <summary>
/// A connection's place in a room, between the room's pump and the connection's outbox. It joins
/// in catch-up mode: live messages that arrive while its history is read are held back (within
/// the same byte bound as the outbox), then released above the last id the history contained.
/// From then on every delivery is checked against the last id sent, so a member never receives a
/// message twice or out of order, whichever path it came by. Ephemeral frames (presence events,
/// typing) take another way: dropped until the member asks for its presence snapshot, held while
/// the snapshot is read, then sent after it (see <see cref="BeginPresence"/>).
/// </summary>
public sealed class RoomMember(Outbox outgoing, Action<string> reconnect, string subject = "")
{
    private const int EphemeralDropped = 0;
    private const int EphemeralHeld = 1;
    private const int EphemeralLive = 2;

    private readonly Lock _catchUpLock = new();
    private List<PublishedMessage>? _heldBack = [];
    private long _heldBackBytes;

    // Written by the room's pump only once catch-up is over (and under the lock before that).
    private MessageId _lastSent = MessageId.None;

    // Ephemeral frames that arrived while the presence snapshot was read; under _catchUpLock.
    private List<byte[]>? _heldEphemeral;
    private int _ephemeralState;

    public Outbox Outgoing { get; } = outgoing;

    /// <summary>Whose socket this is: presence events about this subject are not sent to it.</summary>
    public string Subject { get; } = subject;

    /// <summary>Called by the room's pump, one message at a time, in stream order.</summary>
    public void Deliver(in PublishedMessage message)
    {
        if (Volatile.Read(ref _heldBack) is not null)
        {
            lock (_catchUpLock)
            {
                if (_heldBack is { } heldBack)
                {
                    _heldBackBytes += message.Frame.Length;
                    if (_heldBackBytes > Outgoing.CapacityBytes)
                    {
                        // Same outcome as a full outbox: this member reconnects with since.
                        heldBack.Clear();
                        _heldBackBytes = 0;
                        Outgoing.ReportOverflow();
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
    /// Called by the room's pump with a published batch, in stream order: one queue item for what
    /// this member has not been sent yet. During catch-up each message is held back as above.
    /// </summary>
    public void DeliverBatch(OutgoingBatch batch)
    {
        var messages = batch.Messages;
        if (Volatile.Read(ref _heldBack) is not null)
        {
            foreach (var message in messages)
            {
                Deliver(message);
            }

            return;
        }

        var first = 0;
        while (first < messages.Length && messages[first].Id <= _lastSent)
        {
            first++;
        }

        if (first == messages.Length)
        {
            return;
        }

        _lastSent = messages[^1].Id;
        Outgoing.TryEnqueue(new OutgoingFrame(batch, first));
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

    /// <summary>
    /// The member is about to read its presence snapshot: from now on ephemeral frames are held
    /// until <see cref="CompletePresence"/>. Those dropped before were published before the read,
    /// so the snapshot covers them; those held may be older than the snapshot, and replaying them
    /// after it in order still ends in the right state.
    /// </summary>
    public void BeginPresence()
    {
        lock (_catchUpLock)
        {
            _heldEphemeral = [];
            Volatile.Write(ref _ephemeralState, EphemeralHeld);
        }
    }

    /// <summary>Queues the snapshot (none when Redis could not give it), then what was held; later frames go straight out.</summary>
    public void CompletePresence(byte[]? snapshot)
    {
        lock (_catchUpLock)
        {
            if (snapshot is not null)
            {
                Outgoing.TryEnqueue(new OutgoingFrame(snapshot));
            }

            foreach (var frame in _heldEphemeral ?? [])
            {
                Outgoing.TryEnqueue(new OutgoingFrame(frame));
            }

            _heldEphemeral = null;
            Volatile.Write(ref _ephemeralState, EphemeralLive);
        }
    }

    /// <summary>An ephemeral frame (join, leave, typing, a fresh snapshot): never stored, never replayed.</summary>
    public void DeliverEphemeral(byte[] frame)
    {
        var state = Volatile.Read(ref _ephemeralState);
        if (state == EphemeralLive)
        {
            Outgoing.TryEnqueue(new OutgoingFrame(frame));
            return;
        }

        if (state == EphemeralDropped)
        {
            return;
        }

        lock (_catchUpLock)
        {
            if (_heldEphemeral is { } held)
            {
                held.Add(frame);
                return;
            }
        }

        Outgoing.TryEnqueue(new OutgoingFrame(frame));
    }

    /// <summary>
    /// The room cannot vouch for this member's live stream any more (a hole it could not fill, or
    /// the stream was recreated): the member closes with 1013 and resumes with since and epoch.
    /// </summary>
    public void Reconnect(string reason) => reconnect(reason);

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
