using System.Diagnostics.CodeAnalysis;
using Chat.Api.Connections;
using Chat.Api.Diagnostics;
using Chat.Api.Protocol;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// One room as this replica sees it, the middle of the message path: its local members and,
/// while it has any, one subscription to the room's channel. A single pump reads that
/// subscription in order, checks each message against the last one it dispatched
/// (<see cref="LiveSequence"/>), fills any hole from the stream, and hands each frame, as
/// received, to every member. Nothing is serialized per member. Presence signals share the
/// channel; their first byte sets them apart before any parse (Room.Presence).
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification =
    "The SemaphoreSlim holds no handle (AvailableWaitHandle is never used); a retired room may still be awaited by a late joiner, so disposing it would race.")]
public sealed partial class Room
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RoomContext _context;
    private readonly Action<Room> _onRetired;
    private readonly LiveSequence _sequence = new();

    // Copy-on-write under _gate; the pump reads a snapshot without locking.
    private RoomMember[] _members = [];
    private ChannelMessageQueue? _subscription;
    private Task _pump = Task.CompletedTask;
    private bool _retired;
    private volatile bool _dead;

    // Set once the last member left: the pump ends even if the unsubscribe did not complete its queue.
    private volatile bool _stopped;

    // Resync: set the flag, then cancel the token the idle pump waits on.
    private int _resyncRequested;
    private CancellationTokenSource _wake = new();

    internal Room(RoomKeys keys, RoomContext context, Action<Room> onRetired)
    {
        Keys = keys;
        _context = context;
        _onRetired = onRetired;
        _presenceWindow = new PresenceWindow(context.Time, context.PresenceOptions.Window, context.PresenceOptions.MaxEventsPerWindow, OnPresenceBatch);
    }

    public RoomKeys Keys { get; }

    /// <summary>
    /// Adds a member, subscribing first if it is the room's first here. Returns false when the room
    /// was retired meanwhile; the caller then joins the room's successor.
    /// </summary>
    internal async Task<bool> TryAddAsync(RoomMember member)
    {
        await _gate.WaitAsync();
        try
        {
            if (_retired || _dead)
            {
                return false;
            }

            if (_members.Length == 0)
            {
                await ActivateAsync();
            }

            Volatile.Write(ref _members, [.. _members, member]);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a member; the last one out unsubscribes and retires the room. Never throws.</summary>
    internal async Task RemoveAsync(RoomMember member)
    {
        await _gate.WaitAsync();
        try
        {
            var index = Array.IndexOf(_members, member);
            if (index < 0)
            {
                return;
            }

            Volatile.Write(ref _members, [.. _members.AsSpan(0, index), .. _members.AsSpan(index + 1)]);
            if (_members.Length > 0)
            {
                return;
            }

            Retire();
            _context.Metrics.RoomDeactivated();
            try
            {
                await _context.Subscriptions.UnsubscribeAsync(Keys, _subscription!);
            }
            catch (Exception ex)
            {
                // Timeouts included: the subscription dies with the connection anyway, and the
                // leaving connection must still be cleaned up.
                Log.UnsubscribeFailed(_context.Logger, Keys.RoomId, ex);
            }

            _stopped = true;
            Volatile.Read(ref _wake).Cancel();
            await _pump;
            Log.RoomUnsubscribed(_context.Logger, Keys.RoomId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Asks the pump to compare its position with the stream's tail and fill what it missed: after
    /// Redis's pub/sub connection was restored, messages published meanwhile never arrive. Presence
    /// events lost meanwhile are made good by a fresh snapshot.
    /// </summary>
    internal void RequestResync()
    {
        Volatile.Write(ref _resyncRequested, 1);
        Volatile.Read(ref _wake).Cancel();
        ResendPresence();
    }

    /// <summary>Subscribes (serialized with any unsubscribe of this room), then takes the stream's tail as the starting point.</summary>
    private async Task ActivateAsync()
    {
        var subscription = await _context.Subscriptions.SubscribeAsync(Keys);
        try
        {
            // Read after subscribing: anything newer than this tail is published to us or shows
            // up as a gap at the next message.
            var (epoch, last) = await _context.Log.ReadTailAsync(Keys);
            _sequence.Reset(epoch, last);
        }
        catch
        {
            try
            {
                await _context.Subscriptions.UnsubscribeAsync(Keys, subscription);
            }
            catch (Exception ex)
            {
                // The join fails with the first error, which says more than this one.
                Log.UnsubscribeFailed(_context.Logger, Keys.RoomId, ex);
            }

            Retire();
            throw;
        }

        _subscription = subscription;
        _pump = PumpAsync(subscription);
        _context.Metrics.RoomActivated();
        Log.RoomSubscribed(_context.Logger, Keys.RoomId);
    }

    private void Retire()
    {
        _retired = true;
        _presenceWindow.Dispose();
        _onRetired(this);
    }

    private async Task PumpAsync(ChannelMessageQueue queue)
    {
        while (!_stopped)
        {
            ChannelMessage next;
            try
            {
                if (Interlocked.Exchange(ref _resyncRequested, 0) == 1)
                {
                    await Guarded(ResyncAsync());
                }

                // Drain synchronously while messages are waiting; only park when the queue is empty.
                if (!queue.TryRead(out next))
                {
                    next = await queue.ReadAsync(Volatile.Read(ref _wake).Token);
                }
            }
            catch (OperationCanceledException) when (_stopped)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // Woken for a resync. Replace the token before looking at the flag, so a
                // request that lands in between cancels the new one.
                Volatile.Write(ref _wake, new CancellationTokenSource());
                continue;
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                // Unsubscribed: the room is retiring.
                return;
            }
            catch (Exception ex)
            {
                // The client completed the subscription with an error (it is being disposed):
                // this room can deliver nothing more. Later joiners get a fresh room; today's
                // members resume by since.
                Log.PumpFailed(_context.Logger, Keys.RoomId, ex);
                _dead = true;
                _onRetired(this);
                ReconnectAll("the room's delivery stopped; reconnect with since");
                return;
            }

            await Guarded(OnPublishedAsync(next.Message));
        }
    }

    /// <summary>
    /// Runs one step of the pump. A bug or a Redis error reply in one step must not end the pump,
    /// or the room would go silent for every later joiner; today's members resume by since.
    /// </summary>
    private async ValueTask Guarded(ValueTask step)
    {
        try
        {
            await step;
        }
        catch (Exception ex)
        {
            Log.PumpFailed(_context.Logger, Keys.RoomId, ex);
            ReconnectAll("the room's delivery failed; reconnect with since");
        }
    }

    private ValueTask OnPublishedAsync(RedisValue payload)
    {
        var bytes = (ReadOnlyMemory<byte>)payload;
        if (PresenceSignal.IsSignal(bytes.Span))
        {
            OnPresenceSignal(bytes.Span);
            return ValueTask.CompletedTask;
        }

        return OnMessagesAsync(bytes);
    }

    /// <summary>
    /// A publication holds one message, or an append batch: one line per message, in stream
    /// order, each naming the one before it. Every line passes the gap check; the run of lines
    /// that follow on goes to each member as one item, and a line that shows a hole or a new
    /// incarnation first sends that run, then takes the slow path, then goes on with the rest.
    /// </summary>
    private ValueTask OnMessagesAsync(ReadOnlyMemory<byte> payload)
    {
        List<PublishedMessage>? run = null;
        var rest = payload;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (!PublishedMessage.TryParse(line, out var message))
            {
                // Dropped: the next line's previous id shows the hole, and it is filled from the stream.
                Log.MalformedPublish(_context.Logger, Keys.RoomId);
                continue;
            }

            switch (_sequence.Classify(message))
            {
                case LiveStep.Next:
                    _sequence.Advance(message.Id);
                    if (rest.IsEmpty && run is null)
                    {
                        // A lone message (or the last of a batch with nothing before it to go).
                        DeliverToMembers(message);
                        return ValueTask.CompletedTask;
                    }

                    (run ??= []).Add(message);
                    break;
                case LiveStep.Duplicate:
                    break;
                default:
                    DeliverToMembers(run);
                    return new ValueTask(RecoverThenContinueAsync(message, rest));
            }
        }

        DeliverToMembers(run);
        return ValueTask.CompletedTask;
    }

    private async Task RecoverThenContinueAsync(PublishedMessage message, ReadOnlyMemory<byte> rest)
    {
        await RecoverAsync(message);
        if (!rest.IsEmpty)
        {
            await OnMessagesAsync(rest);
        }
    }

    private void Dispatch(in PublishedMessage message)
    {
        _sequence.Advance(message.Id);
        DeliverToMembers(message);
    }

    private void DeliverToMembers(in PublishedMessage message)
    {
        var members = Volatile.Read(ref _members);
        using var span = message.TraceParent.IsEmpty ? null : MessageTracing.StartDispatch(Keys.RoomId, message.TraceParent.Span, members.Length);
        foreach (var member in members)
        {
            member.Deliver(message);
        }
    }

    /// <summary>A run of messages that passed the gap check, already advanced past: one item per member.</summary>
    private void DeliverToMembers(List<PublishedMessage>? run)
    {
        if (run is null || run.Count == 0)
        {
            return;
        }

        if (run.Count == 1)
        {
            DeliverToMembers(run[0]);
            return;
        }

        var batch = new OutgoingBatch([.. run]);
        var members = Volatile.Read(ref _members);
        List<System.Diagnostics.Activity>? spans = null;
        foreach (var message in run)
        {
            if (!message.TraceParent.IsEmpty && MessageTracing.StartDispatch(Keys.RoomId, message.TraceParent.Span, members.Length) is { } span)
            {
                (spans ??= []).Add(span);
            }
        }

        foreach (var member in members)
        {
            member.DeliverBatch(batch);
        }

        foreach (var span in spans ?? [])
        {
            span.Dispose();
        }
    }

    private void ReconnectAll(string reason)
    {
        foreach (var member in Volatile.Read(ref _members))
        {
            member.Reconnect(reason);
        }
    }

}
