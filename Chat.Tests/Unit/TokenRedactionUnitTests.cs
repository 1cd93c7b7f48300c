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

    [Theory]
    [InlineData("http://chat-api/ws/chat/lobby?access_token=abc.def.ghi&since=1-0", "http://chat-api/ws/chat/lobby?access_token=Redacted&since=1-0")]
    [InlineData("http://chat-api/api/rooms?limit=5", "http://chat-api/api/rooms?limit=5")]
    public void An_outgoing_requests_url_full_has_a_tokens_value_redacted_and_is_otherwise_left_alone(string url, string expected)
    {
        using var activity = new Activity("forward");
        activity.SetTag("url.full", url);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        TokenRedaction.RedactUrl(activity, request);
        Assert.Equal(expected, activity.GetTagItem("url.full"));
    }
}
