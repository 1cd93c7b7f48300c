using System.Text.Json;
using Chat.Tests.Infrastructure.NoLoss;

namespace Chat.Tests.Unit;

/// <summary>How the no-loss clients read a join's first frame, with and without the epoch additions.</summary>
public sealed class NoLossJoinFrameTests
{
    [Fact]
    public void A_join_frame_without_epoch_or_protocol_is_accepted_and_resumes_with_since_only()
    {
        var join = Read("""{"type":"messages","messages":[],"instance":"a"}""");

        Assert.True(join.IsMessages);
        Assert.Null(join.Epoch);
        Assert.Null(join.Problem);
        Assert.Null(join.Recovered);
    }

    [Fact]
    public void A_join_frame_with_epoch_and_protocol_1_gives_the_epoch_and_whether_it_recovered()
    {
        var join = Read("""{"type":"messages","messages":[],"instance":"a","epoch":"Ab_9-z","protocol":1,"recovered":false}""");

        Assert.Equal("Ab_9-z", join.Epoch);
        Assert.Null(join.Problem);
        Assert.False(join.Recovered);
    }

    [Theory]
    [InlineData("""{"type":"messages","messages":[],"epoch":""}""", "epoch")]
    [InlineData("""{"type":"messages","messages":[],"epoch":"has space"}""", "epoch")]
    [InlineData("""{"type":"messages","messages":[],"epoch":"123456789012345678901234567890123"}""", "epoch")]
    [InlineData("""{"type":"messages","messages":[],"epoch":7}""", "epoch")]
    [InlineData("""{"type":"messages","messages":[],"protocol":2}""", "protocol 2")]
    [InlineData("""{"type":"message","message":{}}""", "not 'messages'")]
    public void A_malformed_epoch_an_unknown_protocol_or_another_frame_type_is_a_problem(string json, string mentioned)
    {
        var join = Read(json);

        Assert.Null(join.Epoch);
        Assert.Contains(mentioned, join.Problem, StringComparison.Ordinal);
    }

    private static JoinFrame Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JoinFrame.Read(document.RootElement);
    }
}
