using Chat.Api.Identity;
using Chat.Api.Limits;
using Chat.Api.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Chat.Tests.Unit;

/// <summary>The local half of the message rate (GCRA) and the refusal window, without a Redis to share with.</summary>
public sealed class RateLimitUnitTests
{
    [Fact]
    public async Task A_quiet_user_gets_the_burst_then_one_message_per_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        // No Redis listens here: the shared count cannot be reached, and the local decision stands.
        await using var redis = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=100");
        var limiter = new MessageRateLimiter(redis, Microsoft.Extensions.Options.Options.Create(new LimitsOptions { MessagesPerSecond = 10, MessageBurst = 20 }), time);
        var user = new ChatUser(ChatUser.NewGuestSubject(), "alice", "s");

        for (var i = 0; i < 20; i++)
        {
            Assert.True(limiter.TryAcquire(user, out _), $"message {i + 1} of the burst");
        }

        Assert.False(limiter.TryAcquire(user, out var retryAfter));
        Assert.Equal(100, retryAfter);

        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(limiter.TryAcquire(user, out retryAfter));
        Assert.Equal(1, retryAfter);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire(user, out _));
        Assert.False(limiter.TryAcquire(user, out _));

        // Another user has a bucket of their own.
        Assert.True(limiter.TryAcquire(new ChatUser(ChatUser.NewGuestSubject(), "bob", "s"), out _));
    }

    [Fact]
    public void The_refusal_counter_trips_on_the_101st_refusal_within_the_window_only()
    {
        var counter = new RefusalCounter(100, TimeSpan.FromSeconds(10));
        var start = DateTime.UnixEpoch.Ticks;
        for (var i = 0; i < 100; i++)
        {
            Assert.False(counter.Add(start + (i * TimeSpan.TicksPerMillisecond)));
        }

        Assert.True(counter.Add(start + TimeSpan.TicksPerSecond));

        var slow = new RefusalCounter(100, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 300; i++)
        {
            // One refusal every 101 ms: never more than 100 within 10 s.
            Assert.False(slow.Add(start + (i * 101 * TimeSpan.TicksPerMillisecond)));
        }
    }
}
