using Chat.Api.Protocol;

namespace Chat.Tests.Unit;

/// <summary>docs/protocol.md, "Rooms directory": <c>last_message.content</c> is cut to 100 characters (Unicode scalar values).</summary>
public sealed class DirectoryPreviewTests
{
    [Fact]
    public void Content_of_100_characters_or_fewer_is_returned_as_it_is()
    {
        var hundred = new string('a', 100);

        Assert.Same(hundred, ContentPreview.Cut(hundred));
        Assert.Equal("hi", ContentPreview.Cut("hi"));
        Assert.Equal("", ContentPreview.Cut(""));
    }

    [Fact]
    public void Longer_content_is_cut_to_its_first_100_characters()
    {
        Assert.Equal(new string('a', 100), ContentPreview.Cut(new string('a', 150)));
    }

    [Fact]
    public void An_emoji_counts_once_and_is_never_split()
    {
        // 99 letters, then an emoji (two UTF-16 units) as the 100th character.
        var content = new string('a', 99) + "😀" + new string('b', 50);

        var cut = ContentPreview.Cut(content);

        Assert.Equal(new string('a', 99) + "😀", cut);
        Assert.Equal(101, cut.Length);
    }

    [Fact]
    public void A_surrogate_pair_straddling_the_limit_stays_whole()
    {
        // 100 emoji: 200 UTF-16 units but exactly 100 characters, so nothing is cut.
        var emoji = string.Concat(Enumerable.Repeat("😀", 100));

        Assert.Equal(emoji, ContentPreview.Cut(emoji));
        Assert.Equal(string.Concat(Enumerable.Repeat("😀", 100)), ContentPreview.Cut(emoji + "x"));
    }

    [Fact]
    public void A_lone_surrogate_counts_as_one_character()
    {
        var content = "\ud800" + new string('a', 120);

        Assert.Equal("\ud800" + new string('a', 99), ContentPreview.Cut(content));
    }
}
