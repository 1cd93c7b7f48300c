using Chat.Api.Protocol;

namespace Chat.Api.Connections;

/// <summary>
/// The join half of a connection: the first frames a member gets (history, or a resume from
/// <c>since</c>), read from Redis page by page and queued at the reader's pace.
/// </summary>
public sealed partial class ChatConnection
{
    /// <summary>
    /// The join's first frames. On a resume granted by the join script: every message after
    /// <paramref name="since"/>, page by page, each page read from the last id sent (inclusive,
    /// so a trim that overtakes the resume is noticed), each frame queued only when the outbox has
    /// room for it. Otherwise the newest history. Live messages are held back meanwhile.
    /// </summary>
    private async Task SendHistoryAsync(MessageId? since, string? epoch, CancellationToken cancellationToken)
    {
        var log = _services.MessageLog;
        var options = _services.Options;
        var pageSize = _services.ResumePageSize;
        var snapshot = await log.JoinAsync(_room, since, epoch, options.HistoryLength, pageSize);
        var header = new JoinHeader(_services.Instance.Id, snapshot.Epoch);

        var cursor = snapshot.Recovered == true ? since!.Value : MessageId.None;
        var page = snapshot.Messages;
        var more = snapshot.MayHaveMore;
        if (!await EnqueueHistoryAsync(page, snapshot.Recovered, header, cancellationToken))
        {
            return;
        }

        while (true)
        {
            if (page.Count > 0)
            {
                cursor = MessageId.Parse(page[^1].Id);
            }

            if (!more)
            {
                break;
            }

            page = await log.ReadRangeAsync(_room, cursor, to: null, pageSize + 1);
            if (page.Count == 0 || page[0].Id != cursor.ToString())
            {
                RequestClose(CloseCodes.TryAgainLater, "history was trimmed during the resume; reconnect with since");
                return;
            }

            page.RemoveAt(0);
            more = page.Count >= pageSize;
            if (page.Count > 0 && !await EnqueueHistoryAsync(page, recovered: true, header: null, cancellationToken))
            {
                return;
            }
        }

        _member.CompleteCatchUp(cursor);
    }

    /// <summary>
    /// Queues <paramref name="messages"/> as history frames of at most a quarter of the outbox
    /// each (a single huge message still goes alone), waiting for room before each. Always at
    /// least one frame, so a join's first frame exists even with no history.
    /// </summary>
    private async Task<bool> EnqueueHistoryAsync(List<ChatMessage> messages, bool? recovered, JoinHeader? header, CancellationToken cancellationToken)
    {
        var maxFrameBytes = (int)Math.Min(int.MaxValue, _outgoing.CapacityBytes / 4);
        var next = 0;
        do
        {
            var frame = ServerFrames.Messages(messages, ref next, maxFrameBytes, recovered, header);
            header = null;
            if (!await _outgoing.WaitForSpaceAsync(frame.Length, cancellationToken) || !_outgoing.TryEnqueue(new OutgoingFrame(frame)))
            {
                return false;
            }
        }
        while (next < messages.Count);

        return true;
    }
}
