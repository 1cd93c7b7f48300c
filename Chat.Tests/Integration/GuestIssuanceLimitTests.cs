using System.Net;
using System.Net.Http.Json;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/security.md: guest tokens per client address and minute (20), where the address is the
/// connection's or the one a trusted proxy forwarded (this fixture trusts loopback).
/// </summary>
[Collection(LimitsAppCollection.Name)]
public sealed class GuestIssuanceLimitTests(LimitsAppFixture app)
{
    [Fact]
    public async Task Past_the_per_address_limit_a_sign_in_is_429_with_retry_after_while_another_address_still_signs_in()
    {
        var address = $"203.0.113.{Random.Shared.Next(1, 250)}";
        for (var i = 0; i < LimitsAppFixture.GuestTokensPerMinute; i++)
        {
            using var allowed = await SignInFromAsync(address, $"issued-{Guid.NewGuid():N}"[..20]);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await SignInFromAsync(address, $"issued-{Guid.NewGuid():N}"[..20]);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(string.Join(",", refused.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture), 1, 60);

        using var elsewhere = await SignInFromAsync("192.0.2.77", $"issued-{Guid.NewGuid():N}"[..20]);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    private async Task<HttpResponseMessage> SignInFromAsync(string address, string username)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/guest") { Content = JsonContent.Create(new { username }) };
        request.Headers.Add("X-Forwarded-For", address);
        return await app.Http.SendAsync(request);
    }
}
