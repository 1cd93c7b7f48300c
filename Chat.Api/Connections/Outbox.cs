using System.Threading.Channels;

namespace Chat.Api.Connections;

/// <summary>
/// The bounded queue of frames waiting for one connection's socket. Producers never wait: a member
/// too slow to keep up overflows it and is disconnected (1013), then resumes with <c>since</c>;
/// one slow reader can neither stall a room nor pin unbounded memory.
/// </summary>
public sealed class Outbox
{
    private readonly Channel<OutgoingFrame> _channel;
    private readonly Action _onOverflow;

    public Outbox(int capacity, Action onOverflow)
    {
        ArgumentNullException.ThrowIfNull(onOverflow);
        _onOverflow = onOverflow;
        _channel = Channel.CreateBounded<OutgoingFrame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
    }

    public ChannelReader<OutgoingFrame> Reader => _channel.Reader;

    /// <summary>Queues a frame; on overflow signals the connection to close and returns false.</summary>
    public bool TryEnqueue(in OutgoingFrame frame)
    {
        if (_channel.Writer.TryWrite(frame))
        {
            return true;
        }

        // TryWrite also fails once the queue is completed (the connection is closing); only a
        // live, full queue is an overflow.
        if (!_channel.Reader.Completion.IsCompleted)
        {
            _onOverflow();
        }

        return false;
    }

    /// <summary>Signals an overflow that happened before frames reached this queue (held back during catch-up).</summary>
    public void ReportOverflow() => _onOverflow();

    /// <summary>No more frames will be queued; the writer drains or abandons what is left.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
