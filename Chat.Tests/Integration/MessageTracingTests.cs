using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// A sampled message is one trace across replicas (README, "Observability"): receive and
/// append on the replica that took it, a dispatch on each replica with members, and no span per
/// Redis command on the message path.
/// </summary>
[Collection(TelemetryAppCollection.Name)]
public sealed class MessageTracingTests(TelemetryAppFixture app)
{
    [Fact]
    public async Task A_sampled_message_is_one_trace_of_receive_append_and_a_dispatch_on_each_replica()
    {
        var room = TestRooms.New("traced");
        var (onFirst, onSecond) = await app.ConnectToBothReplicasAsync(room, RoomCalls.NewUserName("tracer"));
        await using var _ = onFirst;
        await using var __ = onSecond;
        await onFirst.ReceiveHistoryAsync();
        await onSecond.ReceiveHistoryAsync();

        await onFirst.SendMessageAsync("traced");
        await onSecond.ReceiveMessagesUntilAsync(1);

        // Exported within the 1 s interval; the trace is the one whose receive span names this room.
        List<ExportedSpan> trace = [];
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        while (true)
        {
            var spans = OtlpSpans.Read(app.Collector);
            var receives = spans.Where(s => s.Name == "chat.message receive").Select(s => s.TraceId).ToHashSet();
            trace = [.. spans.Where(s => receives.Contains(s.TraceId) && s.Name == "chat.message dispatch")
                .GroupBy(s => s.TraceId).Where(g => g.Count() >= 2).SelectMany(g => spans.Where(s => s.TraceId == g.Key))];
            if (trace.Count > 0 && app.Collector.Contains(room, "traces"))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
        }

        var receive = Assert.Single(trace, s => s.Name == "chat.message receive");
        Assert.Equal("", receive.ParentSpanId);
        var append = Assert.Single(trace, s => s.Name == "chat.append");
        Assert.Equal(receive.SpanId, append.ParentSpanId);
        var dispatches = trace.Where(s => s.Name == "chat.message dispatch").ToList();
        Assert.Equal(2, dispatches.Count);
        Assert.All(dispatches, d => Assert.Equal(receive.SpanId, d.ParentSpanId));

        // Hot-path Redis commands make no spans of their own, sampled or not.
        var all = OtlpSpans.Read(app.Collector);
        Assert.DoesNotContain(all, s => s.Name is "EVALSHA" or "EVAL" or "ZADD" or "SPUBLISH");
    }
}
