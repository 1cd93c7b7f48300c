using System.Diagnostics.CodeAnalysis;
using Chat.Api.Diagnostics;
using Chat.Api.Protocol;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Rooms;

/// <summary>
/// One room as this replica sees it: its local members and, while it has any, one subscription to
/// the room's channel. A single pump reads that subscription in order and hands each published
/// frame, as received, to every member's queue.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification =
    "The SemaphoreSlim holds no handle (AvailableWaitHandle is never used); a retired room may still be awaited by a late joiner, so disposing it would race.")]
public sealed class Room
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ISubscriber _subscriber;
    private readonly ChatMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<Room> _onRetired;

    // Copy-on-write under _gate; the pump reads a snapshot without locking.
    private RoomMember[] _members = [];
    private ChannelMessageQueue? _subscription;
    private Task _pump = Task.CompletedTask;
    private bool _retired;

    internal Room(RoomKeys keys, ISubscriber subscriber, ChatMetrics metrics, ILogger logger, Action<Room> onRetired)
    {
        Keys = keys;
        _subscriber = subscriber;
        _metrics = metrics;
        _logger = logger;
        _onRetired = onRetired;
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
            if (_retired)
            {
                return false;
            }

            if (_members.Length == 0)
            {
                try
                {
                    // Subscribed before the member reads history: nothing published after the
                    // history read can be missed (RoomMember drops what both paths deliver).
                    _subscription = await _subscriber.SubscribeAsync(Keys.Channel);
                }
                catch
                {
                    Retire();
                    throw;
                }

                _pump = PumpAsync(_subscription);
                _metrics.RoomActivated();
                Log.RoomSubscribed(_logger, Keys.RoomId);
            }

            Volatile.Write(ref _members, [.. _members, member]);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a member; the last one out unsubscribes and retires the room.</summary>
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
            _metrics.RoomDeactivated();
            try
            {
                await _subscription!.UnsubscribeAsync();
            }
            catch (RedisException ex)
            {
                // The subscription dies with the connection anyway; the queue is completed either way.
                Log.UnsubscribeFailed(_logger, Keys.RoomId, ex);
            }

            await _pump;
            Log.RoomUnsubscribed(_logger, Keys.RoomId);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Retire()
    {
        _retired = true;
        _onRetired(this);
    }

    private async Task PumpAsync(ChannelMessageQueue queue)
    {
        try
        {
            while (true)
            {
                // Drain synchronously while messages are waiting; only park when the queue is empty.
                while (queue.TryRead(out var message))
                {
                    Dispatch(message.Message);
                }

                Dispatch((await queue.ReadAsync()).Message);
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Unsubscribed: the room is retiring.
        }
        catch (Exception ex)
        {
            Log.PumpFailed(_logger, Keys.RoomId, ex);
            throw;
        }
    }

    private void Dispatch(RedisValue payload)
    {
        if (!PublishedMessage.TryParse((ReadOnlyMemory<byte>)payload, out var message))
        {
            Log.MalformedPublish(_logger, Keys.RoomId);
            return;
        }

        foreach (var member in Volatile.Read(ref _members))
        {
            member.Deliver(message);
        }
    }
}
