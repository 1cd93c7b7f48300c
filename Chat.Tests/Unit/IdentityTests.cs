using Chat.Api.Identity;
using Chat.Api.Protocol;

namespace Chat.Tests.Unit;

public sealed class IdentityTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("Alice_B.c-9")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Valid_usernames_are_accepted(string name)
    {
        Assert.True(ChatUser.TryValidateGuestName(name, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("with space")]
    [InlineData("colon:name")]
    [InlineData("ünïcode")]
    [InlineData("<script>")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("...")]
    public void Invalid_usernames_are_refused_with_a_reason(string? name)
    {
        Assert.False(ChatUser.TryValidateGuestName(name, out var error));
        Assert.Contains("username", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Guest_names_are_reserved_case_insensitively()
    {
        Assert.Equal(ChatUser.FoldGuestName("Alice"), ChatUser.FoldGuestName("aLICE"));
    }

    [Fact]
    public void Every_guest_sign_in_gets_a_new_subject_that_is_safe_in_redis_keys()
    {
        var first = ChatUser.NewGuestSubject();
        var second = ChatUser.NewGuestSubject();

        Assert.NotEqual(first, second);
        Assert.StartsWith(ChatUser.GuestPrefix, first, StringComparison.Ordinal);
        Assert.Matches("^g\\.[a-z2-7]{26}$", first);
    }

    [Fact]
    public void A_provider_subject_is_stable_per_issuer_and_never_a_guest_subject()
    {
        var subject = ChatUser.ProviderSubject("https://idp.example", "{weird sub}");

        Assert.Equal(subject, ChatUser.ProviderSubject("https://idp.example", "{weird sub}"));
        Assert.NotEqual(subject, ChatUser.ProviderSubject("https://other.example", "{weird sub}"));
        Assert.Matches("^x\\.[a-z2-7]{26}$", subject);
    }

    [Theory]
    [InlineData("Zoë Müller", true)]
    [InlineData("alice@example.com", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("evil\u202Eeman", false)]
    [InlineData("zero\u200Bwidth", false)]
    [InlineData("line\nbreak", false)]
    public void Provider_display_names_refuse_controls_and_invisible_characters(string name, bool acceptable)
    {
        Assert.Equal(acceptable, ChatUser.IsAcceptableProviderName(name));
    }

    [Fact]
    public void Provider_display_names_refuse_unpaired_surrogates()
    {
        // Built in code: xunit's test-case serialization would replace a lone surrogate with U+FFFD.
        Assert.False(ChatUser.IsAcceptableProviderName("a" + (char)0xD800 + "b"));
    }

    [Theory]
    [InlineData("lobby", true)]
    [InlineData("A", true)]
    [InlineData("room_1.b-c", true)]
    [InlineData("-lobby", false)]
    [InlineData("_lobby", false)]
    [InlineData("", false)]
    [InlineData("lobby\n", false)]
    [InlineData("{lobby}", false)]
    [InlineData("lob:by", false)]
    public void Room_ids_follow_the_pattern(string roomId, bool valid)
    {
        Assert.Equal(valid, RoomId.IsValid(roomId));
    }

    [Fact]
    public void Room_ids_are_at_most_64_characters()
    {
        Assert.True(RoomId.IsValid(new string('r', 64)));
        Assert.False(RoomId.IsValid(new string('r', 65)));
    }
}
