using System.Collections.Concurrent;
using System.Diagnostics;
using Chat.Api.Diagnostics;
using Chat.Api.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Storage;

/// <summary>
/// Group commit per room on this replica: while a room's append script call is running, the
/// room's next messages wait, and then go together as one call and one publish
/// (<see cref="MessageLog.AppendAsync"/>). A lone message goes at once, so a quiet room waits for
/// nothing; a busy one pays one round trip per batch instead of one per message, and the batch
/// grows with the load. Each sender still gets its ack only after its message is stored, and a
/// room's messages are stored in the order they were handed over here. A batch holds at most
/// <c>Chat:AppendBatchSize</c> messages and a quarter of <c>Chat:OutgoingQueueBytes</c>, so
/// that it always fits one member's queue as one item.
/// </summary>
public sealed class AppendBatcher(MessageLog log, ChatMetrics metrics, IOptions<ChatOptions> options)
{
    /// <summary>The id, the epoch-stamped prefix and punctuation each published frame adds to its suffix.</summary>
    private const int FrameOverheadBytes = 128;

    private readonly ConcurrentDictionary<string, RoomQueue> _rooms = new(StringComparer.Ordinal);
    private readonly int _maxCount = options.Value.AppendBatchSize;
    private readonly long _maxBytes = options.Value.OutgoingQueueBytes / 4;

    /// <summary>Stores and publishes <paramref name="message"/>; completes with its id once it is stored.</summary>
    public Task<string> AppendAsync(RoomKeys room, PendingAppend message)
    {
        if (_maxCount == 1)
        {
            return AppendAloneAsync(room, message);
        }

        while (true)
        {
            var queue = _rooms.GetOrAdd(room.RoomId, static (_, room) => new RoomQueue(room), room);
            lock (queue)
            {
                if (queue.Retired)
                {
                    // Drained and removed between the lookup and the lock: take its successor.
                    continue;
                }

                queue.Waiting.Enqueue(message);
                if (queue.Flushing)
                {
                    return message.Task;
                }

                queue.Flushing = true;
            }

            // Runs synchronously up to the script call: a lone message goes out on this thread.
            _ = FlushAsync(queue);
            return message.Task;
        }
    }

    private async Task<string> AppendAloneAsync(RoomKeys room, PendingAppend message)
    {
        var ids = await StoreAsync(room, [message]);
        return (string)ids[0]!;
    }

    /// <summary>
    /// One script call. When a message in it was sampled for tracing, the call is a
    /// <c>chat.append</c> span in that message's trace (the other sampled ones linked); otherwise
    /// it makes no span.
    /// </summary>
    private async Task<RedisValue[]> StoreAsync(RoomKeys room, List<PendingAppend> batch)
    {
        List<ActivityContext>? sampled = null;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Trace is { } trace)
            {
                (sampled ??= []).Add(trace.Context);
            }
        }

        using var span = sampled is null ? null : MessageTracing.StartAppend(room.RoomId, batch.Count, sampled);
        var ids = await log.AppendAsync(room, batch);
        metrics.AppendBatched(batch.Count);
        return ids;
    }

    /// <summary>Sends the room's waiting messages, batch after batch, until none wait; then retires the queue.</summary>
    private async Task FlushAsync(RoomQueue queue)
    {
        // The first sender's span (if sampled) would otherwise stay current for every batch this
        // loop sends, and everything the loop does would count as part of that one message.
        Activity.Current = null;
        var batch = new List<PendingAppend>(Math.Min(_maxCount, 16));
        while (true)
        {
            lock (queue)
            {
                if (queue.Waiting.Count == 0)
                {
                    queue.Flushing = false;
                    queue.Retired = true;
                    _rooms.TryRemove(KeyValuePair.Create(queue.Room.RoomId, queue));
                    return;
                }

                long bytes = 0;
                while (batch.Count < _maxCount && queue.Waiting.TryPeek(out var next))
                {
                    bytes += next.Size + FrameOverheadBytes;
                    if (batch.Count > 0 && bytes > _maxBytes)
                    {
                        break;
                    }

                    batch.Add(queue.Waiting.Dequeue());
                }
            }

            try
            {
                var ids = await StoreAsync(queue.Room, batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].TrySetResult((string)ids[i]!);
                }
            }
            catch (Exception ex)
            {
                // Redis did not answer or refused: none of the batch is known to be stored. Each
                // sender reports it; a retry with the same client_id is never doubled.
                foreach (var message in batch)
                {
                    message.TrySetException(ex);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>One room's waiting messages; every field under the queue's own lock.</summary>
    private sealed class RoomQueue(RoomKeys room)
    {
        public RoomKeys Room { get; } = room;

        public Queue<PendingAppend> Waiting { get; } = new();

        /// <summary>A flush is running: new messages only queue up; it takes them next.</summary>
        public bool Flushing { get; set; }

        /// <summary>Removed from the map once drained; a late caller must take a new queue.</summary>
        public bool Retired { get; set; }
    }
}
