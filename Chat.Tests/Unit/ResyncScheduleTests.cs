using Chat.Api.Rooms;
using Microsoft.Extensions.Time.Testing;

namespace Chat.Tests.Unit;

/// <summary>When rooms recheck their streams after Redis's subscription connection comes back.</summary>
public sealed class ResyncScheduleTests
{
    private static readonly TimeSpan s_delay = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_restore_resyncs_at_once_and_again_after_the_delay()
    {
        var time = new FakeTimeProvider();
        var resyncs = 0;
        using var schedule = new ResyncSchedule(time, s_delay, () => resyncs++);

        schedule.OnRestored();
        Assert.Equal(1, resyncs);

        time.Advance(s_delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, resyncs);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, resyncs);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, resyncs);
    }

    [Fact]
    public void A_second_restore_within_the_delay_restarts_it_instead_of_adding_a_timer()
    {
        var time = new FakeTimeProvider();
        var resyncs = 0;
        using var schedule = new ResyncSchedule(time, s_delay, () => resyncs++);

        schedule.OnRestored();
        time.Advance(TimeSpan.FromMilliseconds(600));
        schedule.OnRestored();
        Assert.Equal(2, resyncs);

        time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(2, resyncs);
        time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(3, resyncs);
    }

    [Fact]
    public void Nothing_fires_after_disposal()
    {
        var time = new FakeTimeProvider();
        var resyncs = 0;
        var schedule = new ResyncSchedule(time, s_delay, () => resyncs++);
        schedule.OnRestored();

        schedule.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, resyncs);
    }
}
