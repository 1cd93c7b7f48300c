using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// Presence on a three-master Redis Cluster: its scripts touch a swept life's key by name, which a
/// Cluster allows only because the key shares the room's hash tag (and slot).
/// </summary>
[Collection(ClusterAppCollection.Name)]
public sealed class ClusterPresenceTests(ClusterAppFixture app)
{
    [Fact]
    public async Task Rooms_on_all_three_shards_see_joins_across_replicas_and_list_their_users()
    {
        foreach (var (_, room) in ClusterShards.RoomPerMaster(app.Redis, "presence-shard"))
        {
            var watcherName = RoomCalls.NewUserName("watcher");
            var carolName = RoomCalls.NewUserName("carol");
            await using var watcher = await app.ConnectAsync(room, watcherName);
            await watcher.ReceiveSnapshotAsync();
            await using var carol = await app.ConnectAwayFromAsync(room, carolName, watcher.Instance);

            Assert.Equal(new[] { carolName, watcherName }.Order(StringComparer.OrdinalIgnoreCase), await carol.ReceiveSnapshotAsync());
            await watcher.ReceiveUntilAsync(f => PresenceCalls.IsEvent(f, "join", carolName), awaited: $"the join of {carolName} in {room}");
            Assert.Equal(
                new[] { carolName, watcherName }.Order(StringComparer.OrdinalIgnoreCase),
                await app.OnlineAsync(await app.GetTokenAsync(watcherName), room));
        }
    }

    [Fact]
    public async Task An_expired_life_is_swept_on_every_shard()
    {
        var store = new Chat.Api.Storage.PresenceStore(app.Redis, Microsoft.Extensions.Options.Options.Create(new Chat.Api.Options.PresenceOptions()));
        foreach (var (_, roomId) in ClusterShards.RoomPerMaster(app.Redis, "presence-sweep"))
        {
            var room = new Chat.Api.Storage.RoomKeys(roomId);
            var dead = new Chat.Api.Storage.ReplicaLife("replica-a", 1, 1000);
            await store.ApplyAsync(room, dead, [new("g.alice", "alice", 1)]);

            // Expired by hand: the sweep then reads and deletes the life's key, named in no KEYS.
            await app.Redis.GetDatabase().SortedSetAddAsync(room.Lives, dead.Id, 1);
            var (lives, users, _) = await store.ReadAsync(room);

            Assert.Equal(0, lives);
            Assert.Empty(users);
            Assert.False(await app.Redis.GetDatabase().KeyExistsAsync(room.Life(dead.Id)));
        }
    }
}
