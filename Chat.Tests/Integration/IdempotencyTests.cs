using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

[Collection(ChatAppCollection.Name)]
public sealed class IdempotencyTests(ChatAppFixture app)
{
    [Fact]
    public async Task Resending_a_client_id_returns_the_first_id_and_is_neither_stored_nor_broadcast_again()
    {
        var room = TestRooms.New("idem");
        var (sender, other) = await app.ConnectToBothReplicasAsync(room, "alice");
        await using var _ = sender;
        await using var __ = other;
        await sender.ReceiveHistoryAsync();
        await other.ReceiveHistoryAsync();

        var first = await sender.SendMessageAsync("once", clientId: "same-id");
        var again = await sender.SendMessageAsync("once", clientId: "same-id");
        var marker = await sender.SendMessageAsync("marker");

        Assert.Equal(first, again);
        Assert.Equal([first, marker], await app.ReadStreamIdsAsync(room));
        await other.ReceiveMessagesUntilAsync(2);
        Assert.Equal([first, marker], other.ReceivedIds);
    }

    [Fact]
    public async Task The_same_client_id_from_another_user_is_a_different_message()
    {
        var room = TestRooms.New("idem-users");
        await using var alice = await app.ConnectAsync(room, "alice");
        await using var bob = await app.ConnectAsync(room, "bob");

        var fromAlice = await alice.SendMessageAsync("hi", clientId: "shared");
        var fromBob = await bob.SendMessageAsync("hi", clientId: "shared");

        Assert.NotEqual(fromAlice, fromBob);
    }

    [Fact]
    public async Task Usernames_compare_case_insensitively_for_idempotency()
    {
        var room = TestRooms.New("idem-case");
        await using var lower = await app.ConnectAsync(room, "carol");
        await using var upper = await app.ConnectAsync(room, "CAROL");

        var first = await lower.SendMessageAsync("hi", clientId: "case");
        var second = await upper.SendMessageAsync("hi", clientId: "case");

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_retry_after_the_rooms_meta_key_was_lost_is_acked_with_the_stored_id_not_stored_again()
    {
        var room = TestRooms.New("idem-meta");
        await using var client = await app.ConnectAsync(room, "alice");
        await client.ReceiveHistoryAsync();
        var first = await client.SendMessageAsync("once", "retry-me");

        // Only the meta key (the epoch) is gone, as an allkeys eviction could do; the stream is intact.
        Assert.True(await app.Redis.GetDatabase().KeyDeleteAsync(new Chat.Api.Storage.RoomKeys(room).Meta));
        var again = await client.SendMessageAsync("once", "retry-me");

        Assert.Equal(first, again);
        Assert.Equal([first], await app.ReadStreamIdsAsync(room));
    }
}
