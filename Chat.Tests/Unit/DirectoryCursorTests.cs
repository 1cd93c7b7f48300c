using System.Buffers.Text;
using System.Text;
using Chat.Api.Rooms;

namespace Chat.Tests.Unit;

/// <summary>docs/protocol.md, "Rooms directory": the cursor is opaque, round-trips, and refuses what the server did not write.</summary>
public sealed class DirectoryCursorTests
{
    [Theory]
    [InlineData(0, "a")]
    [InlineData(1764195600123, "lobby")]
    [InlineData(1764195600123, "has.dots.in-it_")]
    [InlineData(long.MaxValue, "Z123456789012345678901234567890123456789012345678901234567890123")]
    public void A_cursor_decodes_to_what_was_encoded(long ms, string roomId)
    {
        var encoded = new DirectoryCursor(ms, roomId).Encode();

        Assert.True(DirectoryCursor.TryDecode(encoded, out var decoded));
        Assert.Equal(new DirectoryCursor(ms, roomId), decoded);
    }

    [Fact]
    public void A_whole_millisecond_cursor_names_no_room_and_has_passed_every_room_at_its_time()
    {
        var cursor = DirectoryCursor.WholeMillisecond(1000);

        Assert.True(DirectoryCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal("", decoded.RoomId);
        Assert.True(decoded.HasPassed(1000, "0"));
        Assert.True(decoded.HasPassed(1000, "zzz"));
        Assert.False(decoded.HasPassed(999, "zzz"));
    }

    [Fact]
    public void A_cursor_is_url_safe_text()
    {
        var encoded = new DirectoryCursor(1764195600123, "a.b-c_d").Encode();

        Assert.Matches("^[A-Za-z0-9_-]+$", encoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!!")]
    [InlineData("abc=")]
    [InlineData("not a cursor")]
    public void Text_that_is_not_base64url_is_refused(string text)
    {
        Assert.False(DirectoryCursor.TryDecode(text, out _));
    }

    [Theory]
    [InlineData("lobby")]
    [InlineData(".lobby")]
    [InlineData("-5.lobby")]
    [InlineData("+5.lobby")]
    [InlineData("5.has space")]
    [InlineData("5.{braces}")]
    [InlineData("99999999999999999999.lobby")]
    [InlineData("5.é")]
    public void Base64url_of_anything_but_ms_dot_room_id_is_refused(string plain)
    {
        var text = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(plain));

        Assert.False(DirectoryCursor.TryDecode(text, out _));
    }

    [Fact]
    public void An_overlong_cursor_is_refused_before_decoding()
    {
        Assert.False(DirectoryCursor.TryDecode(new string('A', 4096), out _));
    }

    [Fact]
    public void A_cursor_has_passed_newer_rooms_and_ties_at_or_after_its_id_in_reverse_order()
    {
        var cursor = new DirectoryCursor(1000, "m");

        Assert.True(cursor.HasPassed(1001, "a"));
        Assert.True(cursor.HasPassed(1000, "m"));
        Assert.True(cursor.HasPassed(1000, "z"));
        Assert.False(cursor.HasPassed(1000, "a"));
        Assert.False(cursor.HasPassed(999, "z"));
    }
}
