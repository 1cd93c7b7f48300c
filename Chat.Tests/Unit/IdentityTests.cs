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
        Assert.True(ChatUser.TryCreate(name, out var user, out _));
        Assert.Equal(name, user.Value.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("with space")]
    [InlineData("colon:name")]
    [InlineData("ünïcode")]
    [InlineData("<script>")]
    public void Invalid_usernames_are_refused_with_a_reason(string? name)
    {
        Assert.False(ChatUser.TryCreate(name, out _, out var error));
        Assert.Contains("username", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_is_case_insensitive_but_the_name_keeps_its_case()
    {
        ChatUser.TryCreate("Alice", out var upper, out _);
        ChatUser.TryCreate("alice", out var lower, out _);

        Assert.Equal(upper!.Value.Key, lower!.Value.Key);
        Assert.Equal("Alice", upper.Value.Name);
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
