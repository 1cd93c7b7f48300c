using System.Text;
using Chat.Api.Protocol;

namespace Chat.Tests.Unit;

public sealed class MessageIdTests
{
    [Theory]
    [InlineData("0-0", 0, 0)]
    [InlineData("1700000000000-5", 1700000000000, 5)]
    [InlineData("18446744073709551-18", 18446744073709551, 18)]
    public void Valid_ids_parse_from_text_and_utf8(string text, long ms, long seq)
    {
        Assert.True(MessageId.TryParse(text, out var fromText));
        Assert.True(MessageId.TryParse(Encoding.ASCII.GetBytes(text), out var fromUtf8));
        Assert.Equal(new MessageId(ms, seq), fromText);
        Assert.Equal(fromText, fromUtf8);
        Assert.Equal(text, fromText.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1-")]
    [InlineData("-1")]
    [InlineData("1")]
    [InlineData("a-1")]
    [InlineData("1-1-1")]
    [InlineData("+1-1")]
    [InlineData(" 1-1")]
    [InlineData("1-1 ")]
    [InlineData("99999999999999999999-1")]
    [InlineData("$")]
    public void Anything_else_does_not_parse(string text)
    {
        Assert.False(MessageId.TryParse(text, out _));
        Assert.False(MessageId.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void Ids_order_by_time_then_sequence()
    {
        Assert.True(new MessageId(1, 9) < new MessageId(2, 0));
        Assert.True(new MessageId(2, 1) > new MessageId(2, 0));
        Assert.True(MessageId.None < new MessageId(0, 1));
    }
}
