using Chat.Api.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace Chat.Tests.Unit;

/// <summary>docs/protocol.md, Origin: which requests are checked, without starting the app.</summary>
public sealed class OriginCheckMiddlewareTests
{
    private static async Task<(int Status, bool ReachedNext)> RunAsync(string method, StringValues origin)
    {
        var reachedNext = false;
        var middleware = new OriginCheckMiddleware(
            _ => { reachedNext = true; return Task.CompletedTask; },
            new OriginAllowlist(["http://localhost:5170"]),
            NullLogger<OriginCheckMiddleware>.Instance);
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Path = "/api/auth/guest";
        if (origin.Count > 0)
        {
            context.Request.Headers.Origin = origin;
        }

        await middleware.InvokeAsync(context);
        return (context.Response.StatusCode, reachedNext);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task A_state_changing_call_from_a_foreign_origin_is_403(string method)
    {
        var (status, reachedNext) = await RunAsync(method, "https://evil.example");

        Assert.Equal(StatusCodes.Status403Forbidden, status);
        Assert.False(reachedNext);
    }

    [Fact]
    public async Task A_call_from_the_allowed_origin_goes_on()
    {
        Assert.True((await RunAsync("POST", "http://localhost:5170")).ReachedNext);
    }

    [Fact]
    public async Task A_call_without_an_origin_goes_on()
    {
        Assert.True((await RunAsync("POST", StringValues.Empty)).ReachedNext);
    }

    [Fact]
    public async Task Two_origin_headers_are_refused_even_when_one_is_allowed()
    {
        var (status, reachedNext) = await RunAsync("POST", new StringValues(["http://localhost:5170", "https://evil.example"]));

        Assert.Equal(StatusCodes.Status403Forbidden, status);
        Assert.False(reachedNext);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    public async Task A_request_that_changes_nothing_and_is_no_upgrade_is_not_checked(string method)
    {
        Assert.True((await RunAsync(method, "https://evil.example")).ReachedNext);
    }
}
