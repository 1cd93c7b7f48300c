using System.Text;
using Chat.Api.Protocol;

namespace Chat.Tests.Unit;

public sealed class ClientFrameParserTests
{
    private const int MaxContent = 4000;

    private static (bool Ok, ClientFrame Frame, FrameError Error) Parse(string json)
    {
        var ok = ClientFrameParser.TryParse(Encoding.UTF8.GetBytes(json), MaxContent, out var frame, out var error);
        return (ok, frame, error);
    }

    [Fact]
    public void A_message_frame_yields_its_content_and_client_id()
    {
        var (ok, frame, _) = Parse("""{"type":"message","content":"hi <b>there</b>","client_id":"c-1"}""");

        Assert.True(ok);
        Assert.Equal(ClientFrameKind.Message, frame.Kind);
        Assert.Equal("hi <b>there</b>", frame.Content);
        Assert.Equal("c-1", frame.ClientId);
    }

    [Fact]
    public void The_seed_shape_is_a_message_without_a_client_id()
    {
        var (ok, frame, _) = Parse("""{"username":"someone-else","content":"old client"}""");

        Assert.True(ok);
        Assert.Equal(ClientFrameKind.Message, frame.Kind);
        Assert.Equal("old client", frame.Content);
        Assert.Null(frame.ClientId);
    }

    [Fact]
    public void A_ping_is_a_ping()
    {
        var (ok, frame, _) = Parse("""{"type":"ping"}""");

        Assert.True(ok);
        Assert.Equal(ClientFrameKind.Ping, frame.Kind);
    }

    [Fact]
    public void Typing_is_typing_and_carries_nothing()
    {
        var (ok, frame, _) = Parse("""{"type":"typing","content":"ignored"}""");

        Assert.True(ok);
        Assert.Equal(ClientFrameKind.Typing, frame.Kind);
        Assert.Null(frame.Content);
    }

    [Fact]
    public void Unknown_properties_are_ignored_for_forward_compatibility()
    {
        var (ok, frame, _) = Parse("""{"type":"message","content":"x","future":{"nested":[1,2,{"a":1}]}}""");

        Assert.True(ok);
        Assert.Equal("x", frame.Content);
    }

    [Fact]
    public void A_null_client_id_counts_as_absent()
    {
        var (ok, frame, _) = Parse("""{"type":"message","content":"x","client_id":null}""");

        Assert.True(ok);
        Assert.Null(frame.ClientId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("nope")]
    [InlineData("\"a string\"")]
    [InlineData("[]")]
    [InlineData("""{"type":"message","content":"x"} trailing""")]
    [InlineData("""{"type":"message","content":"x"}{}""")]
    [InlineData("""{"type":"message","content":"x",}""")]
    [InlineData("""{"type":"message" /* comment */,"content":"x"}""")]
    [InlineData("""{"type":"message","type":"ping"}""")]
    [InlineData("""{"type":"message","content":"x","username":"a","username":"b"}""")]
    [InlineData("""{"type":"message","content":"x","other":1,"other":2}""")]
    [InlineData("""{"type":"ping","\ud800":1}""")]
    [InlineData("""{"type":"message","content":"x","a\udc00b":{"c":1}}""")]
    public void Malformed_or_ambiguous_json_is_invalid_json(string json)
    {
        var (ok, _, error) = Parse(json);

        Assert.False(ok);
        Assert.Equal(ErrorCodes.InvalidJson, error.Code);
    }

    [Theory]
    [InlineData("""{"type":"message","content":""}""", "content")]
    [InlineData("""{"type":"message","content":" \n\t"}""", "white space")]
    [InlineData("""{"type":"message","content":"a\u0000b"}""", "control")]
    [InlineData("""{"type":"message","content":"a\u001bb"}""", "control")]
    [InlineData("""{"type":"message","content":"a\u007fb"}""", "control")]
    [InlineData("""{"type":"message","content":"lone \ud800"}""", "surrogate")]
    [InlineData("""{"type":"message","content":"lone \udc00 low"}""", "surrogate")]
    [InlineData("""{"type":"message","content":1}""", "content must be a string")]
    [InlineData("""{"type":"message","content":{"a":1}}""", "content must be a string")]
    [InlineData("""{"type":"message","content":["x"]}""", "content must be a string")]
    [InlineData("""{"type":{"t":"message"},"content":"x"}""", "type must be a string")]
    [InlineData("""{"type":"message","content":"x","client_id":{"k":[1]}}""", "client_id must be a string")]
    [InlineData("""{"type":"message"}""", "content is required")]
    [InlineData("""{"type":7}""", "type must be a string")]
    [InlineData("""{"type":"\ud800"}""", "type contains an unpaired surrogate")]
    [InlineData("""{}""", "type is required")]
    [InlineData("""{"type":"message","content":"x","client_id":""}""", "client_id")]
    [InlineData("""{"type":"message","content":"x","client_id":5}""", "client_id")]
    [InlineData("""{"type":"message","content":"x","client_id":"a\u0001"}""", "client_id")]
    public void Invalid_fields_are_validation_errors_that_name_the_field(string json, string mentions)
    {
        var (ok, _, error) = Parse(json);

        Assert.False(ok);
        Assert.Equal(ErrorCodes.Validation, error.Code);
        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_id_of_65_characters_is_refused_and_not_echoed()
    {
        var (ok, _, error) = Parse($$"""{"type":"message","content":"x","client_id":"{{new string('a', 65)}}"}""");

        Assert.False(ok);
        Assert.Equal(ErrorCodes.Validation, error.Code);
        Assert.Null(error.ClientId);
    }

    [Fact]
    public void A_validation_error_echoes_a_valid_client_id()
    {
        var (_, _, error) = Parse("""{"type":"message","content":"","client_id":"abc"}""");

        Assert.Equal("abc", error.ClientId);
    }

    [Fact]
    public void An_unknown_type_is_unknown_type()
    {
        var (ok, _, error) = Parse("""{"type":"reaction","client_id":"k"}""");

        Assert.False(ok);
        Assert.Equal(ErrorCodes.UnknownType, error.Code);
        Assert.Equal("k", error.ClientId);
    }

    [Fact]
    public void Newline_and_tab_are_allowed_in_content()
    {
        var (ok, frame, _) = Parse("""{"type":"message","content":"line one\n\tline two"}""");

        Assert.True(ok);
        Assert.Equal("line one\n\tline two", frame.Content);
    }

    [Fact]
    public void Content_length_counts_characters_not_utf16_units()
    {
        var fourThousandEmoji = string.Concat(Enumerable.Repeat("😀", MaxContent));
        Assert.True(Parse($$"""{"type":"message","content":"{{fourThousandEmoji}}"}""").Ok);

        var (ok, _, error) = Parse($$"""{"type":"message","content":"{{fourThousandEmoji}}x"}""");
        Assert.False(ok);
        Assert.Contains("at most 4000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_escaped_surrogate_pair_is_one_valid_character()
    {
        var (ok, frame, _) = Parse("""{"type":"message","content":"\ud83d\ude00"}""");

        Assert.True(ok);
        Assert.Equal("😀", frame.Content);
    }
}
