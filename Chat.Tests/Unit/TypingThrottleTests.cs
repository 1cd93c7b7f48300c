using Chat.Api.Rooms;
using Microsoft.Extensions.Time.Testing;

namespace Chat.Tests.Unit;

/// <summary>docs/protocol.md, "Typing": at most one per user and room every 2 seconds, the rest dropped.</summary>
public sealed class TypingThrottleTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(2);

    [Fact]
    public void Only_the_first_of_a_burst_is_forwarded()
    {
        var throttle = new TypingThrottle(new FakeTimeProvider(), s_interval);

        Assert.Equal([true, false, false, false, false], Enumerable.Range(0, 5).Select(_ => throttle.TryTake("g.alice")));
    }

    [Fact]
    public void The_next_is_forwarded_once_the_interval_has_passed_since_the_last_forwarded()
    {
        var time = new FakeTimeProvider();
        var throttle = new TypingThrottle(time, s_interval);
        Assert.True(throttle.TryTake("g.alice"));

        time.Advance(s_interval - TimeSpan.FromMilliseconds(1));
        Assert.False(throttle.TryTake("g.alice"));

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(throttle.TryTake("g.alice"));
    }

    [Fact]
    public void Users_are_throttled_apart()
    {
        var throttle = new TypingThrottle(new FakeTimeProvider(), s_interval);

        Assert.True(throttle.TryTake("g.alice"));
        Assert.True(throttle.TryTake("g.bob"));
    }

    [Fact]
    public void A_user_who_left_and_came_back_starts_afresh()
    {
        var throttle = new TypingThrottle(new FakeTimeProvider(), s_interval);
        Assert.True(throttle.TryTake("g.alice"));

        throttle.Forget("g.alice");

        Assert.True(throttle.TryTake("g.alice"));
    }
}
