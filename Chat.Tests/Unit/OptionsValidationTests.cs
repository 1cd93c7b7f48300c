using Chat.Api.Options;

namespace Chat.Tests.Unit;

public sealed class OptionsValidationTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new ChatOptionsValidator().Validate(null, new ChatOptions()).Succeeded);
    }

    [Fact]
    public void A_frame_limit_too_small_for_the_content_limit_is_refused_naming_both_keys()
    {
        var result = new ChatOptionsValidator().Validate(null, new ChatOptions { MaxContentLength = 4000, MaxMessageBytes = 16000 });

        Assert.True(result.Failed);
        Assert.Contains("Chat:MaxMessageBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Chat:MaxContentLength", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_signing_key_is_refused_naming_the_key()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { SigningKey = "too short" });

        Assert.True(result.Failed);
        Assert.Contains("Auth:SigningKey", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_32_byte_signing_key_is_enough()
    {
        Assert.True(new AuthOptionsValidator().Validate(null, new AuthOptions { SigningKey = new string('k', 32) }).Succeeded);
    }

    [Fact]
    public void No_allowed_origins_is_valid()
    {
        Assert.True(new SecurityOptionsValidator().Validate(null, new SecurityOptions()).Succeeded);
    }

    [Fact]
    public void Serialized_origins_are_valid()
    {
        var options = new SecurityOptions { AllowedOrigins = ["http://localhost:5170", "https://chat.example"] };

        Assert.True(new SecurityOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("http://localhost:5170/")]
    [InlineData("https://*.example")]
    [InlineData("null")]
    [InlineData("localhost:5170")]
    [InlineData("http://localhost:5170/path?query")]
    public void An_origin_a_browser_never_sends_is_refused_naming_its_index(string origin)
    {
        var result = new SecurityOptionsValidator().Validate(null, new SecurityOptions { AllowedOrigins = ["http://localhost:5170", origin] });

        Assert.True(result.Failed);
        Assert.Contains("Security:AllowedOrigins:1", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Security:AllowedOrigins:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_limits_are_valid()
    {
        Assert.True(new LimitsOptionsValidator().Validate(null, new LimitsOptions()).Succeeded);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("00:02:01")]
    public void A_handshake_timeout_out_of_range_is_refused_naming_the_key(string timeout)
    {
        var options = new LimitsOptions { HandshakeTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) };
        var result = new LimitsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Limits:HandshakeTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:59")]
    [InlineData("366.00:00:00")]
    public void A_Chat_DirectoryIdleTime_out_of_range_is_refused_naming_the_key(string idle)
    {
        var options = new ChatOptions { DirectoryIdleTime = TimeSpan.Parse(idle, System.Globalization.CultureInfo.InvariantCulture) };
        var result = new ChatOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Chat:DirectoryIdleTime", result.FailureMessage, StringComparison.Ordinal);
    }
}

/// <summary>The attributes on SecurityOptions, as ValidateDataAnnotations runs them at start.</summary>
public sealed class SecurityOptionsAnnotationTests
{
    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(SecurityOptions options) =>
        new Microsoft.Extensions.Options.DataAnnotationValidateOptions<SecurityOptions>(null).Validate(null, options);

    [Fact]
    public void No_proxy_secret_is_valid_so_the_api_starts_on_its_own()
    {
        Assert.True(Validate(new SecurityOptions()).Succeeded);
    }

    [Fact]
    public void A_proxy_secret_of_32_characters_is_valid()
    {
        Assert.True(Validate(new SecurityOptions { ProxySecret = new string('s', 32) }).Succeeded);
    }

    [Fact]
    public void A_short_proxy_secret_is_refused_naming_the_key()
    {
        var result = Validate(new SecurityOptions { ProxySecret = "short" });
        Assert.True(result.Failed);
        Assert.Contains("Security:ProxySecret", result.FailureMessage, StringComparison.Ordinal);
    }
}
