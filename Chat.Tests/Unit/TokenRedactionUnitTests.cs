using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Chat.Tests.Unit;

/// <summary>How ServiceDefaults rewrite a query that carries a token, in server and client spans.</summary>
public sealed class TokenRedactionUnitTests
{
    [Theory]
    [InlineData("?access_token=abc.def.ghi", "?access_token=Redacted")]
    [InlineData("?since=1-0&access_token=abc&epoch=e1", "?since=1-0&access_token=Redacted&epoch=e1")]
    [InlineData("?ACCESS_TOKEN=abc", "?ACCESS_TOKEN=Redacted")]
    [InlineData("?since=1-0", "?since=1-0")]
    public void A_query_keeps_its_parameters_with_the_tokens_value_replaced(string query, string expected) =>
        Assert.Equal(expected, TokenRedaction.Redact(query));

    [Fact]
    public void An_outgoing_request_with_a_token_gets_a_redacted_url_full()
    {
        using var activity = new Activity("forward");
        activity.SetTag("url.full", "http://chat-api/ws/chat/lobby?access_token=abc.def.ghi&since=1-0");
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://chat-api/ws/chat/lobby?access_token=abc.def.ghi&since=1-0");
        TokenRedaction.RedactUrl(activity, request);
        Assert.Equal("http://chat-api/ws/chat/lobby?access_token=Redacted&since=1-0", activity.GetTagItem("url.full"));
    }

    [Fact]
    public void An_outgoing_request_without_a_token_is_left_alone()
    {
        using var activity = new Activity("forward");
        activity.SetTag("url.full", "http://chat-api/api/rooms?limit=5");
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://chat-api/api/rooms?limit=5");
        TokenRedaction.RedactUrl(activity, request);
        Assert.Equal("http://chat-api/api/rooms?limit=5", activity.GetTagItem("url.full"));
    }
}
