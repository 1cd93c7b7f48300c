using Chat.Api.Diagnostics;
using Chat.Api.Protocol;
using Chat.Api.Storage;

namespace Chat.Api.Rooms;

/// <summary>
/// The room pump's presence side, beside the message path and never on it: signals on the room's
/// channel that start with <c>!</c>. Typing goes out at once; joins and leaves pass through the
/// room's <see cref="PresenceWindow"/> and leave it as one frame each, serialized once for every
/// member here but the subject's own sockets, or as one fresh snapshot when the window overflowed.
/// None of it touches the gap check, the message order or the stream.
/// </summary>
public sealed partial class Room
{
    private readonly PresenceWindow _presenceWindow;
    private readonly Lock _presenceFlushLock = new();

    // Batches go out one after another: a snapshot read must not be overtaken by the next window.
    private Task _presenceFlush = Task.CompletedTask;

    private void OnPresenceSignal(ReadOnlySpan<byte> payload)
    {
        if (!PresenceSignal.TryParse(payload, out var signal))
        {
            Log.MalformedPresenceSignal(_context.Logger, Keys.RoomId);
            return;
        }

        if (signal.Kind == PresenceSignalKind.Typing)
        {
            DeliverEphemeral(ServerFrames.PresenceEvent(signal.Kind, signal.Name), except: signal.Subject);
            return;
        }

        _presenceWindow.Add(signal);
    }

    /// <summary>
    /// Join and leave signals published while the subscription was down never arrive, and unlike
    /// messages they are nowhere to be read back: every member here gets one fresh snapshot, read
    /// once, in line behind the batches already going out.
    /// </summary>
    private void ResendPresence()
    {
        if (!_retired && !_dead)
        {
            OnPresenceBatch(new PresenceBatch([], Snapshot: true));
        }
    }

    /// <summary>Called by the window's timer when a window ends.</summary>
    private void OnPresenceBatch(PresenceBatch batch)
    {
        lock (_presenceFlushLock)
        {
            _presenceFlush = SendBatchAfterAsync(_presenceFlush, batch);
        }
    }

    private async Task SendBatchAfterAsync(Task previous, PresenceBatch batch)
    {
        // A failed batch must not stop the ones after it.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!batch.Snapshot)
        {
            foreach (var change in batch.Changes)
            {
                DeliverEphemeral(ServerFrames.PresenceEvent(change.Kind, change.Name), except: change.Subject);
            }

            return;
        }

        try
        {
            // Read once for every member on this replica, however many joined. A member whose
            // subject the snapshot lacks counted in after this read: its own join snapshot, read
            // after its count-in, is newer, and this older one would take the member off its own
            // list, which no later event repairs (nobody hears of their own join). Found by the
            // 1,000-member join storm.
            var (_, users, subjects) = await _context.Presence.ReadAsync(Keys);
            var frame = ServerFrames.Presence(users);
            foreach (var member in Volatile.Read(ref _members))
            {
                if (member.Subject.Length == 0 || subjects.Contains(member.Subject))
                {
                    member.DeliverEphemeral(frame);
                }
            }
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            Log.PresenceSnapshotFailed(_context.Logger, Keys.RoomId, ex);
        }
    }

    /// <summary>Hands one frame to every member, except the sockets of <paramref name="except"/>: nobody hears of their own join.</summary>
    private void DeliverEphemeral(byte[] frame, string? except)
    {
        foreach (var member in Volatile.Read(ref _members))
        {
            if (!string.Equals(member.Subject, except, StringComparison.Ordinal))
            {
                member.DeliverEphemeral(frame);
            }
        }
    }
}
