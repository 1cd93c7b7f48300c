using System.Net;
using System.Net.Http.Json;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/security.md: X-Forwarded-For is believed from Security:TrustedProxies only. The shared app
/// trusts no proxy, so a client cannot choose the address its sign-ins are counted under (found by
/// a hostile review: with empty lists the middleware believed everybody).
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class ForwardedHeadersTests(ChatAppFixture app)
{
    [Fact]
    public async Task Without_a_trusted_proxy_a_forwarded_address_is_ignored()
    {
        var spoofed = $"203.0.113.{Random.Shared.Next(1, 250)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/guest")
        {
            Content = JsonContent.Create(new { username = "fwd-" + Guid.NewGuid().ToString("N")[..8] }),
        };
        request.Headers.Add("X-Forwarded-For", spoofed);

        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await app.Redis.GetDatabase().KeyExistsAsync(Chat.Api.Storage.UserKeys.TokensIssued(spoofed)));
    }
}
