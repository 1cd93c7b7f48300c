using System.Text.Json.Nodes;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// docs/protocol.md, "Rooms directory", on a three-master Redis Cluster: the index is a global key
/// on one shard, each listed room's details come from its own shard in one batch.
/// </summary>
[Collection(ClusterAppCollection.Name)]
public sealed class ClusterDirectoryTests(ClusterAppFixture app)
{
    [Fact]
    public async Task The_directory_lists_rooms_from_every_shard_with_their_details_and_hides_private_ones()
    {
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        var stranger = await app.GetTokenAsync(RoomCalls.NewUserName("stranger"));
        var rooms = ClusterShards.RoomPerMaster(app.Redis, "dir-shard").Select(r => r.Room).ToList();
        var hidden = rooms[0];
        await app.CreatePrivateRoomAsync(owner, hidden);
        foreach (var room in rooms)
        {
            await using var writer = await ChatClient.ConnectAsync(app.ApiUri, room, owner);
            await writer.ReceiveHistoryAsync();
            await writer.SendMessageAsync("hello " + room);
        }

        var online = new RoomKeys(rooms[1]).Online;
        var redis = app.Redis.GetDatabase();
        try
        {
            await redis.HashSetAsync(online, "g.someone", "1");

            // On a Cluster the index lives on another shard than the room, so an ack does not
            // imply the index has the message yet: wait for it, bounded.
            var listed = await ListedWhenAllPresentAsync(owner, rooms);
            foreach (var room in rooms)
            {
                var entry = listed.Single(r => (string)r["room_id"]! == room);
                Assert.Equal("hello " + room, (string?)entry["last_message"]!["content"]);
                Assert.Equal(room == hidden, (bool)entry["private"]!);
                Assert.Equal(room == rooms[1] ? 1 : 0, (long)entry["online"]!);
            }

            var seenByStranger = (await app.ListAllRoomsAsync(stranger)).Select(r => (string)r["room_id"]!).ToList();
            Assert.DoesNotContain(hidden, seenByStranger);
            Assert.Contains(rooms[1], seenByStranger);
            Assert.Contains(rooms[2], seenByStranger);
        }
        finally
        {
            await redis.KeyDeleteAsync(online);
        }
    }

    private async Task<List<JsonObject>> ListedWhenAllPresentAsync(string token, IReadOnlyCollection<string> rooms)
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        while (true)
        {
            var listed = await app.ListAllRoomsAsync(token);
            if (rooms.All(room => listed.Any(r => (string)r["room_id"]! == room && r["last_message"] is not null)))
            {
                return listed;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }
}
