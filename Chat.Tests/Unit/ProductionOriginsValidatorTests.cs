using Chat.Api.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace Chat.Tests.Unit;

/// <summary>A deployed API refuses at start an allowlist no browser on the deployed frontend could match.</summary>
public sealed class ProductionOriginsValidatorTests
{
    private static ProductionOriginsValidator In(string environment) =>
        new(new HostingEnvironment { EnvironmentName = environment });

    [Fact]
    public void An_http_origin_is_refused_outside_development_naming_its_index_and_the_parameter()
    {
        var result = In(Environments.Production).Validate(null, new SecurityOptions { AllowedOrigins = ["https://chat.example", "http://chat.example"] });

        Assert.True(result.Failed);
        Assert.Contains("Security:AllowedOrigins:1", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Security:AllowedOrigins:0", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("web-origin", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://chat.example")]
    [InlineData("http://localhost:5170")]
    [InlineData("http://127.0.0.1:5170")]
    public void Https_and_loopback_origins_are_valid_outside_development(string origin)
    {
        Assert.True(In(Environments.Production).Validate(null, new SecurityOptions { AllowedOrigins = [origin] }).Succeeded);
    }

    [Fact]
    public void Development_allows_http_origins()
    {
        Assert.True(In(Environments.Development).Validate(null, new SecurityOptions { AllowedOrigins = ["http://chat.example"] }).Succeeded);
    }
}
