using Chat.Api.Protocol;

namespace Chat.Api.Connections;

/// <summary>
/// Messages a room's pump received in one publication (one append batch), in stream order, shared
/// by every member it goes to: each member queues it as one item (<see cref="OutgoingFrame"/>
/// with the index of its first unseen message), so a batch costs a member one queue operation
/// and one wake of its send loop, not one per message. The frames are the published bytes,
/// never copied.
/// </summary>
public sealed class OutgoingBatch
{
    // _bytesFrom[i]: the frame bytes of messages i..end, what a member starting at i queues.
    private readonly int[] _bytesFrom;

    public OutgoingBatch(PublishedMessage[] messages)
    {
        Messages = messages;
        _bytesFrom = new int[messages.Length + 1];
        for (var i = messages.Length - 1; i >= 0; i--)
        {
            _bytesFrom[i] = _bytesFrom[i + 1] + messages[i].Frame.Length;
        }
    }

    public PublishedMessage[] Messages { get; }

    /// <summary>The frame bytes of the messages from <paramref name="first"/> to the end.</summary>
    public int BytesFrom(int first) => _bytesFrom[first];
}
