using System.Diagnostics;
using Chat.Api.Diagnostics;
using Chat.Api.Options;

namespace Chat.Tests.Unit;

/// <summary>Chat:MessageTraceRatio decides which messages get a span; the rest get none at all.</summary>
public sealed class MessageTracingUnitTests : IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source == MessageTracing.Source,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public MessageTracingUnitTests() => ActivitySource.AddActivityListener(_listener);

    public void Dispose() => _listener.Dispose();

    private static MessageTracing Tracing(double ratio) =>
        new(Microsoft.Extensions.Options.Options.Create(new ChatOptions { MessageTraceRatio = ratio }));

    [Fact]
    public void Ratio_zero_traces_no_message_even_with_a_listener()
    {
        var tracing = Tracing(0);
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Null(tracing.StartReceive("r")));
    }

    [Fact]
    public void Ratio_one_traces_every_message_as_a_root_span_naming_its_room()
    {
        using var span = Tracing(1).StartReceive("r");

        Assert.NotNull(span);
        Assert.Null(span.Parent);
        Assert.Equal("r", span.GetTagItem("chat.room_id"));
    }

    [Fact]
    public void A_small_ratio_traces_about_that_share()
    {
        var tracing = Tracing(0.1);
        var sampled = 0;
        for (var i = 0; i < 10_000; i++)
        {
            using var span = tracing.StartReceive("r");
            sampled += span is null ? 0 : 1;
        }

        // 10 % of 10,000 is 1,000; a binomial's standard deviation here is 30.
        Assert.InRange(sampled, 800, 1200);
    }
}
