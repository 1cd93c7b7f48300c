using Chat.Api.Connections;
using Chat.Api.Options;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/guarantees.md, "Presence": the replica-clock half of the TTL, with a fake TimeProvider. A
/// room whose only replica was killed has nobody left to notice; every replica's heartbeat sweeps
/// rooms nobody renewed for <c>Presence:Ttl</c>, by its own clock. (The other half, which lives in
/// a room are dead, is decided by Redis's clock inside the scripts: PresenceStoreTests.)
/// </summary>
[Collection(ChatAppCollection.Name)]
public sealed class PresenceTtlTests(ChatAppFixture app)
{
    [Fact]
    public async Task A_room_nobody_renews_is_swept_once_the_ttl_has_passed_on_the_replicas_clock_and_not_before()
    {
        var options = new PresenceOptions();
        var store = new PresenceStore(app.Redis, Microsoft.Extensions.Options.Options.Create(options));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var instance = new ServerInstance(Microsoft.Extensions.Options.Options.Create(new ChatOptions { InstanceId = "sweeper" }), new ConfigurationBuilder().Build());
        var sweeper = new ReplicaPresence(store, instance, time, Microsoft.Extensions.Options.Options.Create(options), NullLogger<ReplicaPresence>.Instance);

        // A killed replica's last renewal of a room, with a ghost in it; its life already dead by Redis's clock.
        var room = new RoomKeys(TestRooms.New("orphan"));
        var dead = new ReplicaLife("killed", 1, 1);
        await store.ApplyAsync(room, dead, [new PresenceCount("g.ghost", "ghost", 1)]);
        await app.Redis.GetDatabase().SortedSetAddAsync(room.Lives, dead.Id, 1);
        var renewedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.IndexAsync([room.RoomId], renewedAt);

        // Just inside the TTL: not this sweep's business yet.
        time.Advance(options.Ttl - TimeSpan.FromMilliseconds(1));
        await sweeper.SweepOrphansAsync();
        Assert.NotNull(await app.Redis.GetDatabase().SortedSetScoreAsync(UserKeys.PresenceRooms, room.RoomId));
        Assert.True(await app.Redis.GetDatabase().HashExistsAsync(room.Online, "g.ghost"));

        // Past it: the room is read (which sweeps the dead life and its ghost) and forgotten.
        time.Advance(TimeSpan.FromMilliseconds(2));
        await sweeper.SweepOrphansAsync();
        Assert.False(await app.Redis.GetDatabase().HashExistsAsync(room.Online, "g.ghost"));
        Assert.Null(await app.Redis.GetDatabase().SortedSetScoreAsync(UserKeys.PresenceRooms, room.RoomId));
    }
}
