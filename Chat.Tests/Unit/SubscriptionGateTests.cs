using Chat.Api.Rooms;

namespace Chat.Tests.Unit;

/// <summary>The per-room subscription serializer (docs/guarantees.md, "Subscriptions are serialized per channel").</summary>
public sealed class SubscriptionGateTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_subscribe_waits_for_an_unsubscribe_of_the_same_room_to_finish()
    {
        var gate = new SubscriptionGate();
        var unsubscribing = await gate.EnterAsync("lobby");

        var subscribing = gate.EnterAsync("lobby");
        await Task.Delay(50);
        Assert.False(subscribing.IsCompleted);

        unsubscribing.Dispose();
        (await subscribing.WaitAsync(s_timeout)).Dispose();
    }

    [Fact]
    public async Task Different_rooms_never_wait_for_each_other()
    {
        var gate = new SubscriptionGate();
        using var lobby = await gate.EnterAsync("lobby");

        using var other = await gate.EnterAsync("other").WaitAsync(s_timeout);
    }

    [Fact]
    public async Task Operations_on_one_room_never_overlap_and_all_run()
    {
        var gate = new SubscriptionGate();
        var inside = 0;
        var maxInside = 0;
        var ran = 0;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            using var entered = await gate.EnterAsync("lobby");
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
            Interlocked.Increment(ref ran);
        }))).WaitAsync(s_timeout);

        Assert.Equal(1, maxInside);
        Assert.Equal(200, ran);
    }

    [Fact]
    public async Task The_gate_keeps_nothing_for_rooms_no_longer_in_use()
    {
        var gate = new SubscriptionGate();
        var first = await gate.EnterAsync("a");
        var second = gate.EnterAsync("a");
        using (await gate.EnterAsync("b"))
        {
            Assert.Equal(2, gate.Count);
        }

        first.Dispose();
        (await second.WaitAsync(s_timeout)).Dispose();

        Assert.Equal(0, gate.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
