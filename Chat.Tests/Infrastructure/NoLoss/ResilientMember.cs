using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Chat.Api.Protocol;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// A checked member. It joins once, then drops (abruptly or with a close) and resumes with
/// <c>since</c> and <c>epoch</c> at random until the run settles, and it reconnects whenever the
/// server says so. It records the id of every message it receives after its first join's
/// history, across all its sockets, in arrival order and without removing duplicates: the
/// checker compares exactly what a user would have seen with the stream.
/// </summary>
internal sealed class ResilientMember(
    string name,
    string room,
    Uri apiUri,
    Func<string, CancellationToken, Task<string>> getToken,
    NoLossOptions options,
    Random random,
    NoLossJournal journal)
{
    private readonly Lock _gate = new();
    private readonly string _who = $"room {room}, member {name}";
    private readonly ReconnectPolicy _reconnect = new(random, options, journal, $"room {room}, member {name}");
    private NoLossSocket? _socket;
    private string? _token;
    private string? _epoch;
    private MessageId _lastSeen = MessageId.None;
    private bool _hasSeen;
    private volatile bool _settling;
    private volatile bool _droppedByUs;
    private MessageId _catchUpTarget;
    private TaskCompletionSource? _caughtUp;

    public string Name => name;

    public string Room => room;

    /// <summary>Whether the first join succeeded; a member that never joined has nothing to check.</summary>
    public bool Joined { get; private set; }

    /// <summary>The last id of the first join's history; null when that history was empty.</summary>
    public string? HistoryLastId { get; private set; }

    /// <summary>Every id received after the first join's history, in arrival order, duplicates kept.</summary>
    public List<string> Received { get; } = [];

    /// <summary>Where in <see cref="Received"/> each <c>recovered:false</c> frame's messages start, and how many it had.</summary>
    public List<(int Start, int Count)> NotRecovered { get; } = [];

    /// <summary>The highest id seen so far, for failure messages.</summary>
    public string LastSeen
    {
        get
        {
            lock (_gate)
            {
                return _hasSeen ? _lastSeen.ToString() : "nothing";
            }
        }
    }

    /// <summary>What the checker needs, once the member has stopped.</summary>
    public MemberRecord ToRecord() => new(name, HistoryLastId, Received, NotRecovered, LastSeen);

    /// <summary>The first join: connects and reads the history frame, whose last id is the member's baseline.</summary>
    public async Task JoinAsync(CancellationToken stop)
    {
        _token = await getToken(name, stop);
        _socket = await _reconnect.ConnectAsync(NoLossSocket.SocketUri(apiUri, room, null, null), _token, stop);
        if (_socket is null)
        {
            return;
        }

        using var first = await _socket.ReceiveAsync(stop);
        if (first is null)
        {
            journal.Fail(_who, $"the server closed the first join with {(int?)_socket.CloseStatus} before its history");
            return;
        }

        if (!OnJoinFrame(first.RootElement, resumed: false))
        {
            return;
        }

        if (Last(first.RootElement.GetProperty("messages")) is { } last)
        {
            HistoryLastId = last;
            See(MessageId.Parse(last));
        }

        Joined = true;
    }

    /// <summary>Runs until <paramref name="stop"/>: reads, drops at random until settling, resumes.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var socket = Joined ? _socket : null;
        var joinFrameRead = true;
        while (socket is not null)
        {
            var connected = Stopwatch.GetTimestamp();
            await using (socket)
            {
                await ConsumeAsync(socket, joinFrameRead, stop);
            }

            joinFrameRead = false;
            if (stop.IsCancellationRequested)
            {
                return;
            }

            if (_droppedByUs)
            {
                await AwayAsync(stop);
            }
            else
            {
                await _reconnect.AfterServerEndedAsync(Stopwatch.GetElapsedTime(connected), stop);
            }

            journal.MemberReconnected();
            string since;
            lock (_gate)
            {
                // From the very start of the stream when nothing was seen yet (an empty history).
                since = _lastSeen.ToString();
            }

            socket = await _reconnect.ConnectAsync(NoLossSocket.SocketUri(apiUri, room, since, _epoch), _token!, stop);
        }
    }

    /// <summary>No more random drops from now on; the server may still close the member, and it still resumes.</summary>
    public void Settle() => _settling = true;

    /// <summary>Completes once the member has seen <paramref name="target"/> or a later id.</summary>
    public Task WaitUntilSeenAsync(MessageId target)
    {
        lock (_gate)
        {
            if (_hasSeen && _lastSeen >= target)
            {
                return Task.CompletedTask;
            }

            _catchUpTarget = target;
            _caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _caughtUp.Task;
        }
    }

    /// <summary>Reads one socket until it ends, and records the ending when it is a failure.</summary>
    private async Task ConsumeAsync(NoLossSocket socket, bool joinFrameRead, CancellationToken stop)
    {
        _droppedByUs = false;
        using var connectionEnded = new CancellationTokenSource();
        var dropping = _settling ? Task.CompletedTask : DropLaterAsync(socket, RandomConnectedTime(), abrupt: random.Next(2) == 0, connectionEnded.Token);
        var expectJoinFrame = !joinFrameRead;
        try
        {
            while (true)
            {
                using var frame = await socket.ReceiveAsync(stop);
                if (frame is null)
                {
                    if (ReconnectPolicy.UnexpectedClose(socket.CloseStatus, socket.CloseStatusDescription, _droppedByUs) is { } failure)
                    {
                        journal.Fail(_who, failure);
                    }

                    return;
                }

                OnFrame(frame.RootElement, expectJoinFrame);
                expectJoinFrame = false;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Dropped by us (an abrupt drop disposes the socket under the pending receive, which
            // then throws ObjectDisposedException), by the run's end, or abruptly by the server or
            // the network: all mean "resume", and the checker judges what arrived.
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            journal.Fail(_who, $"a frame was malformed: {ex.Message}");
        }
        finally
        {
            await connectionEnded.CancelAsync();
            await dropping;
        }
    }

    private void OnFrame(JsonElement frame, bool joinFrame)
    {
        if (joinFrame)
        {
            OnJoinFrame(frame, resumed: true);
        }

        switch (frame.TryGetProperty("type", out var type) ? type.GetString() : null)
        {
            case "messages":
                var messages = frame.GetProperty("messages");
                var recovered = frame.TryGetProperty("recovered", out var r) ? r.ValueKind == JsonValueKind.True : (bool?)null;
                if (!joinFrame && recovered != true)
                {
                    journal.Fail(_who, "a 'messages' frame after the join's first frame did not say recovered:true");
                }

                if (joinFrame && recovered == false)
                {
                    journal.ResumeNotRecovered();
                    NotRecovered.Add((Received.Count, messages.GetArrayLength()));
                    if (!options.RecoveredFalseExpected)
                    {
                        journal.Fail(_who, $"a resume with since={LastSeen} was answered recovered:false");
                    }
                }

                foreach (var message in messages.EnumerateArray())
                {
                    Record(message.GetProperty("id").GetString()!);
                }

                break;
            case "message":
                Record(frame.GetProperty("message").GetProperty("id").GetString()!);
                break;
            case "error":
                journal.Fail(_who, $"an error frame reached a member that sends nothing: {frame.GetRawText()}");
                break;
            default:
                // pong, and frame types a later protocol adds: not what this checks.
                break;
        }
    }

    /// <summary>Takes the epoch to resume with from a join's first frame; false when it is not a 'messages' frame.</summary>
    private bool OnJoinFrame(JsonElement frame, bool resumed)
    {
        var join = JoinFrame.Read(frame);
        if (join.Problem is not null)
        {
            journal.Fail(_who, (resumed ? "resumed join: " : "first join: ") + join.Problem);
        }

        if (join.Epoch is not null)
        {
            _epoch = join.Epoch;
        }

        if (resumed && join.IsMessages && join.Recovered is null)
        {
            journal.Fail(_who, "a resume with since was answered without 'recovered'");
        }

        return join.IsMessages;
    }

    private void Record(string id)
    {
        Received.Add(id);
        journal.MessageDelivered();
        See(MessageId.Parse(id));
    }

    private void See(MessageId id)
    {
        lock (_gate)
        {
            if (!_hasSeen || id > _lastSeen)
            {
                _lastSeen = id;
                _hasSeen = true;
            }

            if (_caughtUp is { } waiter && _lastSeen >= _catchUpTarget)
            {
                waiter.TrySetResult();
                _caughtUp = null;
            }
        }
    }

    private async Task DropLaterAsync(NoLossSocket socket, TimeSpan after, bool abrupt, CancellationToken connectionEnded)
    {
        try
        {
            await Task.Delay(after, connectionEnded);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_settling)
        {
            return;
        }

        _droppedByUs = true;
        if (abrupt)
        {
            socket.Abort();
        }
        else
        {
            // Frames that arrive before the server's answer still count: the member saw them.
            await socket.CloseAsync();
        }
    }

    private async Task AwayAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(options.MaxAwayTime * random.NextDouble(), stop);
        }
        catch (OperationCanceledException)
        {
            // The run ended while away; RunAsync's connect sees the token.
        }
    }

    private TimeSpan RandomConnectedTime() =>
        options.MinConnectedTime + ((options.MaxConnectedTime - options.MinConnectedTime) * random.NextDouble());

    private static string? Last(JsonElement messages)
    {
        var count = messages.GetArrayLength();
        return count == 0 ? null : messages[count - 1].GetProperty("id").GetString();
    }
}
