using System.Text;
using Chat.Api.Protocol;

namespace Chat.Tests.Unit;

/// <summary>docs/protocol.md, content: bidirectional controls and blank-looking content are refused; nothing is rewritten.</summary>
public sealed class ContentRulesTests
{
    private const int MaxContent = 4000;

    [Theory]
    [InlineData('\u202A')]
    [InlineData('\u202B')]
    [InlineData('\u202C')]
    [InlineData('\u202D')]
    [InlineData('\u202E')]
    [InlineData('\u2066')]
    [InlineData('\u2067')]
    [InlineData('\u2068')]
    [InlineData('\u2069')]
    public void A_bidirectional_embedding_override_or_isolate_is_refused(char control)
    {
        var error = ContentRules.ValidateContent($"see txt{control}exe.doc", MaxContent);

        Assert.NotNull(error);
        Assert.Contains("bidirectional", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u200Eabc: \u05E9\u05DC\u05D5\u05DD!")]
    [InlineData("\u05E9\u05DC\u05D5\u05DD\u200F (1)")]
    [InlineData("\u0645\u0631\u062D\u0628\u0627\u061C 42")]
    public void Left_to_right_right_to_left_and_arabic_letter_marks_are_allowed(string content)
    {
        Assert.Null(ContentRules.ValidateContent(content, MaxContent));
    }

    [Theory]
    [InlineData("\u200B")]
    [InlineData("\u200C")]
    [InlineData("\u200D")]
    [InlineData("\u2060")]
    [InlineData("\uFEFF")]
    [InlineData("\u200E\u200F")]
    [InlineData(" \u200B\n\t\u200D ")]
    [InlineData("\u00A0\u3000\u2060")]
    [InlineData("\u3164")]
    [InlineData("\u2800\u00AD")]
    [InlineData("\uFE0F")]
    [InlineData("\U000E0041")]
    // Found by a hostile review: Khmer inherent vowels, a deprecated format control, an
    // interlinear annotation anchor, a musical beam, a Kaithi number sign.
    [InlineData("\u17B4\u17B5")]
    [InlineData("\u206A")]
    [InlineData("\uFFF9")]
    [InlineData("\U0001D173")]
    [InlineData("\U000110BD")]
    public void Content_of_only_invisible_characters_and_white_space_is_refused(string content)
    {
        var error = ContentRules.ValidateContent(content, MaxContent);

        Assert.NotNull(error);
        Assert.Contains("invisible", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\U0001F468\u200D\U0001F469\u200D\U0001F467")]
    [InlineData("\u2764\uFE0F")]
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")]
    [InlineData("zero\u200Bwidth")]
    [InlineData("\uFEFFhello")]
    public void Invisible_characters_inside_visible_text_are_allowed(string content)
    {
        Assert.Null(ContentRules.ValidateContent(content, MaxContent));
    }

    [Fact]
    public void A_refused_bidirectional_control_is_a_validation_error_naming_content()
    {
        var json = """{"type":"message","content":"abc\u202Edef","client_id":"c-1"}""";
        Assert.False(ClientFrameParser.TryParse(Encoding.UTF8.GetBytes(json), MaxContent, out _, out var error));

        Assert.Equal(ErrorCodes.Validation, error.Code);
        Assert.StartsWith("content", error.Message, StringComparison.Ordinal);
        Assert.Equal("c-1", error.ClientId);
    }

    [Fact]
    public void Accepted_content_is_kept_exactly_as_sent()
    {
        // Marks, joiners, a BOM and decomposed e + combining acute: none is stripped or normalised.
        const string content = "\uFEFF\u200Ecafe\u0301 \U0001F468\u200D\U0001F469 zero\u200Bwidth";
        var json = $$"""{"type":"message","content":"{{content}}"}""";

        Assert.True(ClientFrameParser.TryParse(Encoding.UTF8.GetBytes(json), MaxContent, out var frame, out _));
        Assert.Equal(content, frame.Content);
    }
}
