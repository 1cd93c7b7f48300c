using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// An app with tight limits: pings every second, two seconds for the pong, two seconds for a
/// handshake's headers, three sockets per replica, two per user; the per-user message rate at
/// its defaults (10/s, burst 20); five new rooms per user and day (the other tests here create at
/// most two per user, the quota's test uses guests of its own).
/// </summary>
public sealed class LimitsAppFixture : ChatAppFixture
{
    public const int MaxSocketsPerProcess = 3;
    public const int SocketsPerUser = 2;
    public const int GuestTokensPerMinute = 20;
    public const string PreviousSigningKey = "chat-tests-previous-signing-key-0123456789-abcdef";
    public const int RoomsPerDay = 5;
    public static readonly TimeSpan SocketLeaseTtl = TimeSpan.FromSeconds(3);

    /// <summary>Well under Kestrel's 30 s default, which a test's bounded wait could not tell apart from never.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(2);

    private int _signIns;

    /// <summary>Every sign-in from a client address of its own (see Security:TrustedProxies below).</summary>
    protected override string? ClientAddressForSignIn() => $"198.51.100.{Interlocked.Increment(ref _signIns) % 250}";

    protected override IReadOnlyDictionary<string, string> ApiSettings { get; } = WithApiSettings(new Dictionary<string, string>
    {
        ["Chat__KeepAliveInterval"] = "00:00:01",
        ["Chat__KeepAliveTimeout"] = "00:00:02",
        ["Limits__MaxSocketsPerProcess"] = MaxSocketsPerProcess.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Limits__SocketsPerUser"] = SocketsPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Limits__SocketLeaseTtl"] = SocketLeaseTtl.ToString(),
        ["Limits__MessagesPerSecond"] = "10",
        ["Limits__MessageBurst"] = "20",
        ["Limits__GuestTokensPerMinute"] = GuestTokensPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // The tests' requests come from loopback and play a proxy: each sign-in names its own
        // client address, so only the issuance test meets the per-address limit.
        // A rotation under way: tokens signed with the key before it are still accepted.
        ["Auth__PreviousSigningKey"] = PreviousSigningKey,
        ["Security__TrustedProxies__0"] = "127.0.0.1",
        ["Security__TrustedProxies__1"] = "::1",
        ["Limits__HandshakeTimeout"] = HandshakeTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["Limits__RoomsPerDay"] = RoomsPerDay.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Chat__DirectoryWriteInterval"] = DirectoryWriteInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    });

    /// <summary>The production default, which the shared app turns off.</summary>
    public static readonly TimeSpan DirectoryWriteInterval = TimeSpan.FromSeconds(1);
}

[CollectionDefinition(Name)]
public sealed class LimitsAppCollection : ICollectionFixture<LimitsAppFixture>
{
    public const string Name = "chat app with tight limits";
}

/// <summary>docs/protocol.md: a peer that stops answering pings is dropped; one that reads stays.</summary>
[Collection(LimitsAppCollection.Name)]
public sealed class KeepAliveTests(LimitsAppFixture app)
{
    [Fact]
    public async Task A_socket_that_never_reads_is_aborted_after_the_keep_alive_timeout()
    {
        await using var silent = await app.ConnectAsync(TestRooms.New("keepalive-silent"), "alice");
        await silent.ReceiveHistoryAsync();

        // Read nothing (so answer no ping) for well past interval + timeout.
        await Task.Delay(TimeSpan.FromSeconds(8));

        await Assert.ThrowsAnyAsync<WebSocketException>(async () =>
        {
            while (await silent.ReceiveAsync(TimeSpan.FromSeconds(10)) is not null)
            {
            }

            throw new InvalidOperationException("The server closed the socket cleanly instead of aborting it.");
        });
    }

    [Fact]
    public async Task A_socket_that_keeps_reading_stays_open_while_idle()
    {
        var room = TestRooms.New("keepalive-reader");
        await using var reader = await app.ConnectAsync(room, "alice");
        await reader.ReceiveHistoryAsync();

        // A pending receive answers the pings; nothing else arrives for 8 s.
        var waiting = reader.ReceiveMessagesUntilAsync(1, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(8));
        await using var sender = await app.ConnectAsync(room, "bob");
        await sender.ReceiveHistoryAsync();
        var id = await sender.SendMessageAsync("still there?");

        await waiting;
        Assert.Equal([id], reader.ReceivedIds);
    }
}
