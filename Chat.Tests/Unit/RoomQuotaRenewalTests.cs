using Chat.Api.Limits;

namespace Chat.Tests.Unit;

/// <summary>The room quota's Retry-After: the seconds left in the UTC day, whatever the caller's offset.</summary>
public sealed class RoomQuotaRenewalTests
{
    [Theory]
    [InlineData("2026-11-27T00:00:00+00:00", 86_400)]
    [InlineData("2026-11-27T23:59:59.200+00:00", 1)]
    [InlineData("2026-11-27T12:00:00+00:00", 43_200)]
    [InlineData("2026-11-27T23:00:00-02:00", 82_800)] // 01:00 UTC on the 28th
    public void The_quota_renews_at_midnight_UTC(string now, int seconds)
    {
        Assert.Equal(seconds, RoomQuota.SecondsUntilMidnightUtc(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Retry_after_is_never_zero()
    {
        Assert.Equal(1, RoomQuota.SecondsUntilMidnightUtc(new DateTimeOffset(2026, 11, 27, 23, 59, 59, 999, TimeSpan.Zero).AddTicks(9_999)));
    }
}
