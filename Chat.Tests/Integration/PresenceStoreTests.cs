using Chat.Api.Options;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;
using StackExchange.Redis;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/guarantees.md, "Presence": the sweep's decisions, run by the presence scripts on the app's
/// Redis with made-up replica lives. A life's expiry is set into the past by hand instead of
/// waiting for it, so nothing here depends on timing.
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class PresenceStoreTests(ChatAppFixture app)
{
    private readonly PresenceStore _store = new(app.Redis, Microsoft.Extensions.Options.Options.Create(new PresenceOptions()));

    private static PresenceCount Count(string name, int sockets) => new("g." + name, name, sockets);

    [Fact]
    public async Task An_expired_life_is_swept_its_users_left_nowhere_leave_and_the_others_stay()
    {
        var room = new RoomKeys(TestRooms.New("sweep"));
        var dead = new ReplicaLife("replica-a", 1, 1000);
        var live = new ReplicaLife("replica-b", 2, 1000);
        await _store.ApplyAsync(room, dead, [Count("alice", 1), Count("bob", 2)]);
        await _store.ApplyAsync(room, live, [Count("bob", 1)]);
        await using var signals = await ListenAsync(room);

        await Expire(room, dead);
        Assert.True(await _store.RenewAsync(room, live.Id));

        var (lives, users, _) = await _store.ReadAsync(room);
        Assert.Equal(1, lives);
        Assert.Equal(["bob"], users);
        Assert.Equal("1 bob", (string?)await app.Redis.GetDatabase().HashGetAsync(room.Online, "g.bob"));
        Assert.False(await app.Redis.GetDatabase().KeyExistsAsync(room.Life(dead.Id)));
        Assert.Equal("!l g.alice alice", await signals.NextAsync());
    }

    [Fact]
    public async Task A_life_swept_while_alive_is_told_so_and_its_counts_come_back_when_written_again()
    {
        var room = new RoomKeys(TestRooms.New("restore"));
        var frozen = new ReplicaLife("replica-a", 1, 1000);
        await _store.ApplyAsync(room, frozen, [Count("alice", 2)]);
        await Expire(room, frozen);

        Assert.False(await _store.RenewAsync(room, frozen.Id));
        Assert.Empty((await _store.ReadAsync(room)).Users);

        Assert.True(await _store.ApplyAsync(room, frozen, [Count("alice", 2)]));
        Assert.Equal("2 alice", (string?)await app.Redis.GetDatabase().HashGetAsync(room.Online, "g.alice"));
    }

    [Fact]
    public async Task Counts_are_absolute_so_writing_one_twice_changes_nothing_and_zero_removes_it()
    {
        var room = new RoomKeys(TestRooms.New("absolute"));
        var life = new ReplicaLife("replica-a", 1, 1000);
        await using var signals = await ListenAsync(room);

        Assert.True(await _store.ApplyAsync(room, life, [Count("alice", 1)]));
        Assert.False(await _store.ApplyAsync(room, life, [Count("alice", 1)]));
        await _store.ApplyAsync(room, life, [Count("alice", 0)]);

        Assert.Equal("!j g.alice alice", await signals.NextAsync());
        Assert.Equal("!l g.alice alice", await signals.NextAsync());
        Assert.Equal(0, (await _store.ReadAsync(room)).Lives);
        Assert.False(await app.Redis.GetDatabase().KeyExistsAsync(room.Online));
    }

    [Fact]
    public async Task A_restarted_replicas_first_write_drops_its_previous_life_at_once()
    {
        var room = new RoomKeys(TestRooms.New("restart"));
        var before = new ReplicaLife("replica-a", 1, 1000);
        var after = new ReplicaLife("replica-a", 7, 2000);
        var other = new ReplicaLife("replica-b", 1, 500);
        await _store.ApplyAsync(room, before, [Count("alice", 1), Count("ghost", 1)]);
        await _store.ApplyAsync(room, other, [Count("bob", 1)]);

        await _store.ApplyAsync(room, after, [Count("alice", 1)]);

        var (lives, users, _) = await _store.ReadAsync(room);
        Assert.Equal(2, lives);
        Assert.Equal(["alice", "bob"], users);
        Assert.Equal("1 alice", (string?)await app.Redis.GetDatabase().HashGetAsync(room.Online, "g.alice"));
    }

    private Task<bool> Expire(RoomKeys room, ReplicaLife life) =>
        app.Redis.GetDatabase().SortedSetAddAsync(room.Lives, life.Id, 1);

    private async Task<SignalQueue> ListenAsync(RoomKeys room) =>
        new(await app.Redis.GetSubscriber().SubscribeAsync(room.Channel));

    /// <summary>The room's channel in order (a queue, not a handler, which would not keep it).</summary>
    private sealed class SignalQueue(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async Task<string> NextAsync()
        {
            using var deadline = new CancellationTokenSource(TestTimeouts.Default);
            return (string)(await queue.ReadAsync(deadline.Token)).Message!;
        }

        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync();
    }
}
