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
}
