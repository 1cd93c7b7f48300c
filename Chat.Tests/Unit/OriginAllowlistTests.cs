using Chat.Api.Security;

namespace Chat.Tests.Unit;

/// <summary>docs/protocol.md, the chat socket: Origin is matched exactly against Security:AllowedOrigins.</summary>
public sealed class OriginAllowlistTests
{
    private static readonly OriginAllowlist Allowlist = new(["http://localhost:5170", "https://chat.example"]);

    [Theory]
    [InlineData("http://localhost:5170")]
    [InlineData("HTTP://LocalHost:5170")]
    [InlineData("https://chat.example")]
    public void A_listed_origin_is_allowed_whatever_its_case(string origin)
    {
        Assert.True(Allowlist.Allows(origin));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://localhost:5170.evil.example")]
    [InlineData("http://localhost:517")]
    [InlineData("http://localhost:5171")]
    [InlineData("https://localhost:5170")]
    [InlineData("http://localhost:5170/")]
    [InlineData("http://localhost")]
    [InlineData("http://sub.chat.example")]
    [InlineData("https://chat.example:443")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_an_exact_match_is_refused(string? origin)
    {
        Assert.False(Allowlist.Allows(origin));
    }

    [Fact]
    public void An_empty_list_allows_no_origin()
    {
        Assert.False(new OriginAllowlist([]).Allows("http://localhost:5170"));
    }

    [Theory]
    [InlineData("http://localhost:5170")]
    [InlineData("https://chat.example")]
    [InlineData("https://chat.example:8443")]
    [InlineData("http://127.0.0.1:5170")]
    [InlineData("http://[::1]:5170")]
    [InlineData("http://xn--bcher-kva.example")]
    public void A_serialized_origin_is_recognised(string value)
    {
        Assert.True(OriginAllowlist.IsSerializedOrigin(value));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("localhost:5170")]
    [InlineData("//localhost:5170")]
    [InlineData("ws://localhost:5170")]
    [InlineData("ftp://localhost")]
    [InlineData("http://localhost:5170/")]
    [InlineData("http://localhost:5170/app")]
    [InlineData("http://localhost:5170?x=1")]
    [InlineData("http://localhost:5170#top")]
    [InlineData("http://localhost:80")]
    [InlineData("https://chat.example:443")]
    [InlineData("http://*.example")]
    [InlineData("http://user@localhost:5170")]
    [InlineData("http://bücher.example")]
    [InlineData(" http://localhost:5170")]
    public void Anything_a_browser_would_not_send_as_an_origin_is_not_a_serialized_origin(string value)
    {
        Assert.False(OriginAllowlist.IsSerializedOrigin(value));
    }
}
