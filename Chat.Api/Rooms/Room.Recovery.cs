using System.Globalization;
using Chat.Api.Diagnostics;
using Chat.Api.Protocol;
using Chat.Api.Storage;

namespace Chat.Api.Rooms;

/// <summary>
/// The room pump's slow path, off the per-message path: a message whose previous id shows a hole,
/// a stream incarnation the pump did not know, and the recheck after a resubscription. Holes are
/// filled from the stream; what cannot be filled sends the members back to resume by since.
/// </summary>
public sealed partial class Room
{
    /// <summary>The slow path: a gap to fill, or a stream this pump did not know.</summary>
    private async Task RecoverAsync(PublishedMessage message)
    {
        if (_sequence.Classify(message) == LiveStep.Restart)
        {
            var epoch = System.Text.Encoding.UTF8.GetString(message.Epoch.Span);
            Log.StreamRestarted(_context.Logger, Keys.RoomId, _sequence.Epoch, epoch);
            // Members hold positions in the old incarnation; only a resume can tell them so.
            ReconnectAll("the room's history was reset; reconnect with since and epoch");
            _sequence.Reset(epoch, MessageId.None);
        }

        if (!await FillAsync(message.Previous))
        {
            _sequence.Reset(_sequence.Epoch, message.Previous);
        }

        Dispatch(message);
    }

    private async ValueTask ResyncAsync()
    {
        try
        {
            var (epoch, last) = await _context.Log.ReadTailAsync(Keys);
            if (epoch != _sequence.Epoch)
            {
                Log.StreamRestarted(_context.Logger, Keys.RoomId, _sequence.Epoch, epoch);
                ReconnectAll("the room's history was reset; reconnect with since and epoch");
                _sequence.Reset(epoch, last);
            }
            else if (last > _sequence.Last && !await FillAsync(last))
            {
                _sequence.Reset(epoch, last);
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // Cannot check now; the next message's previous id checks again.
            Log.ResyncFailed(_context.Logger, Keys.RoomId, ex);
        }
    }

    /// <summary>
    /// Dispatches what the stream holds after the last dispatched id up to <paramref name="upTo"/>,
    /// page by page, each page read from the last id dispatched (inclusive, so a trim is noticed).
    /// False when that is impossible (the hole was trimmed, is larger than
    /// <c>Chat:ResumeBatchSize</c>, or Redis did not answer): then every member is told to
    /// reconnect, and resumes, or learns of its gap, by <c>since</c>. Never a silent hole.
    /// </summary>
    private async Task<bool> FillAsync(MessageId upTo)
    {
        var previous = _sequence.Last;
        var filled = 0;
        var epoch = _sequence.EpochUtf8;
        while (previous < upTo)
        {
            List<ChatMessage> page;
            try
            {
                page = await _context.Log.ReadRangeAsync(Keys, previous, upTo, _context.PageSize + 1);
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                Log.GapFillFailed(_context.Logger, Keys.RoomId, ex);
                ReconnectAll("missed messages could not be read; reconnect with since");
                return false;
            }

            // The first entry must be the last one dispatched (nothing in the hole was trimmed),
            // unless the pump started on an empty stream; and the page must move forward.
            var start = previous == MessageId.None ? 0 : 1;
            var contiguous = start == 0 || (page.Count > 0 && page[0].Id == previous.ToString());
            filled += page.Count - start;
            if (!contiguous || page.Count <= start || filled > _context.FillLimit)
            {
                Log.GapUnfillable(_context.Logger, Keys.RoomId, previous.ToString(), upTo.ToString());
                ReconnectAll("missed messages are no longer retained here; reconnect with since");
                return false;
            }

            for (var i = start; i < page.Count; i++)
            {
                var stored = page[i];
                var id = MessageId.Parse(stored.Id);
                // Serialized once here, for every member on this replica.
                Dispatch(new PublishedMessage(id, previous, epoch, ReceivedAtTicks(stored.Timestamp), ServerFrames.Message(stored)));
                previous = id;
            }

            _context.Metrics.GapFilled(page.Count - start);
        }

        return true;
    }

    private static long ReceivedAtTicks(string timestamp) =>
        DateTime.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? at.Ticks
            : 0;
}
