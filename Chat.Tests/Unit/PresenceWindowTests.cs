using Chat.Api.Protocol;
using Chat.Api.Rooms;
using Microsoft.Extensions.Time.Testing;

namespace Chat.Tests.Unit;

/// <summary>
/// docs/protocol.md, "Presence": join and leave events are held up to one window and coalesced; a
/// join and a leave inside one window cancel out; past the limit, one snapshot replaces them.
/// </summary>
public sealed class PresenceWindowTests
{
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(1);

    private static PresenceSignal Join(string name) => new(PresenceSignalKind.Join, "g." + name, name);

    private static PresenceSignal Leave(string name) => new(PresenceSignalKind.Leave, "g." + name, name);

    private static (FakeTimeProvider Time, PresenceWindow Window, List<PresenceBatch> Batches) Create(int maxEvents = 100)
    {
        var time = new FakeTimeProvider();
        var batches = new List<PresenceBatch>();
        return (time, new PresenceWindow(time, s_window, maxEvents, batches.Add), batches);
    }

    [Fact]
    public void An_event_is_held_until_its_window_ends_then_sent_once()
    {
        var (time, window, batches) = Create();
        using var _ = window;

        window.Add(Join("carol"));
        time.Advance(s_window - TimeSpan.FromMilliseconds(1));
        Assert.Empty(batches);

        time.Advance(TimeSpan.FromMilliseconds(1));
        var batch = Assert.Single(batches);
        Assert.False(batch.Snapshot);
        Assert.Equal([Join("carol")], batch.Changes);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(batches);
    }

    [Fact]
    public void The_window_starts_at_its_first_event_not_at_each_event()
    {
        var (time, window, batches) = Create();
        using var _ = window;

        window.Add(Join("carol"));
        time.Advance(TimeSpan.FromMilliseconds(900));
        window.Add(Join("dave"));
        time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal([Join("carol"), Join("dave")], Assert.Single(batches).Changes);
    }

    [Fact]
    public void A_join_and_a_leave_of_one_user_inside_a_window_cancel_out()
    {
        var (time, window, batches) = Create();
        using var _ = window;

        window.Add(Join("carol"));
        window.Add(Leave("carol"));
        window.Add(Leave("dave"));
        window.Add(Join("dave"));
        time.Advance(s_window);

        Assert.Empty(batches);
    }

    [Fact]
    public void An_odd_run_of_events_of_one_user_leaves_only_the_last()
    {
        var (time, window, batches) = Create();
        using var _ = window;

        window.Add(Join("carol"));
        window.Add(Join("bob"));
        window.Add(Leave("carol"));
        window.Add(Join("carol"));
        time.Advance(s_window);

        Assert.Equal([Join("carol"), Join("bob")], Assert.Single(batches).Changes);
    }

    [Fact]
    public void Events_in_the_next_window_are_sent_in_the_next_batch()
    {
        var (time, window, batches) = Create();
        using var _ = window;

        window.Add(Join("carol"));
        time.Advance(s_window);
        window.Add(Leave("carol"));
        time.Advance(s_window);

        Assert.Equal(2, batches.Count);
        Assert.Equal([Leave("carol")], batches[1].Changes);
    }

    [Fact]
    public void Exactly_the_limit_of_changes_is_still_sent_as_events()
    {
        var (time, window, batches) = Create(maxEvents: 100);
        using var _ = window;

        for (var i = 0; i < 100; i++)
        {
            window.Add(Join($"u{i}"));
        }

        time.Advance(s_window);

        var batch = Assert.Single(batches);
        Assert.False(batch.Snapshot);
        Assert.Equal(100, batch.Changes.Count);
    }

    [Fact]
    public void More_than_the_limit_of_changes_in_one_window_become_one_snapshot()
    {
        var (time, window, batches) = Create(maxEvents: 100);
        using var _ = window;

        for (var i = 0; i < 101; i++)
        {
            window.Add(Join($"u{i}"));
        }

        time.Advance(s_window);

        var batch = Assert.Single(batches);
        Assert.True(batch.Snapshot);
        Assert.Empty(batch.Changes);
    }

    [Fact]
    public void Changes_that_cancel_out_do_not_count_towards_the_limit()
    {
        var (time, window, batches) = Create(maxEvents: 100);
        using var _ = window;

        for (var i = 0; i < 200; i++)
        {
            window.Add(Join($"u{i}"));
            window.Add(Leave($"u{i}"));
        }

        window.Add(Join("carol"));
        time.Advance(s_window);

        Assert.Equal([Join("carol")], Assert.Single(batches).Changes);
    }

    [Fact]
    public void A_disposed_window_sends_nothing_more()
    {
        var (time, window, batches) = Create();

        window.Add(Join("carol"));
        window.Dispose();
        window.Add(Join("dave"));
        time.Advance(s_window);

        Assert.Empty(batches);
    }

    [Fact]
    public void Typing_is_never_coalesced()
    {
        var (_, window, _) = Create();
        using var _ = window;

        Assert.Throws<ArgumentException>(() => window.Add(new PresenceSignal(PresenceSignalKind.Typing, "g.carol", "carol")));
    }
}
