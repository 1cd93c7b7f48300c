using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Tests.Unit;

/// <summary>Which Redis failures a client may retry (unavailable, 1013) and which are errors (1011).</summary>
public sealed class RedisFaultsTests
{
    [Theory]
    [InlineData("LOADING Redis is loading the dataset in memory")]
    [InlineData("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")]
    [InlineData("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")]
    [InlineData("READONLY You can't write against a read only replica.")]
    [InlineData("TRYAGAIN Multiple keys request during rehashing of slot")]
    [InlineData("CLUSTERDOWN The cluster is down")]
    public void Replies_that_mean_not_now_are_unavailable(string reply) =>
        Assert.True(RedisFaults.IsUnavailable(new RedisServerException(reply)));

    [Theory]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value")]
    [InlineData("ERR Error running script")]
    [InlineData("NOSCRIPT No matching script")]
    public void Replies_that_mean_wrong_are_not(string reply) =>
        Assert.False(RedisFaults.IsUnavailable(new RedisServerException(reply)));

    [Fact]
    public void Timeouts_and_lost_connections_are_unavailable()
    {
        Assert.True(RedisFaults.IsUnavailable(new RedisTimeoutException("timeout", CommandStatus.Sent)));
        Assert.True(RedisFaults.IsUnavailable(new RedisConnectionException(ConnectionFailureType.SocketClosed, "closed")));
        Assert.False(RedisFaults.IsUnavailable(new InvalidOperationException()));
    }

    [Fact]
    public void A_command_the_client_abandoned_is_unavailable_but_our_own_cancellation_is_not()
    {
        using var ours = new CancellationTokenSource();
        ours.Cancel();

        Assert.True(RedisFaults.IsUnavailable(new TaskCanceledException()));
        Assert.False(RedisFaults.IsUnavailable(new OperationCanceledException(ours.Token)));
    }

    [Fact]
    public void A_failure_inside_the_client_pipe_reader_is_unavailable()
    {
        // What a long freeze produced: "Reading is not allowed after reader was completed."
        var pipe = new System.IO.Pipelines.Pipe();
        pipe.Reader.Complete();
        var thrown = Assert.ThrowsAny<InvalidOperationException>(() => pipe.Reader.TryRead(out _));

        Assert.True(RedisFaults.IsUnavailable(thrown));
    }
}
