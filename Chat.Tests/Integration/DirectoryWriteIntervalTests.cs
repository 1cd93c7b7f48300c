using System.Globalization;
using Chat.Api.Storage;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// <c>Chat:DirectoryWriteInterval</c> (1 s by default): a room's first activity reaches the rooms
/// directory's index at once; a burst after it is held back and only its latest moment is written,
/// by the replica's once-a-second upkeep. So a busy room costs one index write a second, not one
/// per message, and the index still ends at the room's last activity.
/// </summary>
[Collection(LimitsAppCollection.Name)]
public sealed class DirectoryWriteIntervalTests(LimitsAppFixture app)
{
    [Fact]
    public async Task A_burst_is_written_to_the_directory_once_after_the_first_activity_and_ends_at_its_last_message()
    {
        var room = TestRooms.New("dir-interval");
        var db = app.Redis.GetDatabase();
        await using var client = await app.ConnectAsync(room, RoomCalls.NewUserName("burst"));
        await client.ReceiveHistoryAsync();

        // The join is the room's first activity on its replica: written at once.
        var joined = await db.SortedSetScoreAsync(UserKeys.RoomActivity, room);
        Assert.NotNull(joined);

        // Within the burst allowance of the rate limit, and well within one interval.
        var last = 0L;
        for (var i = 0; i < 15; i++)
        {
            await client.SendAsync(new { type = "message", content = $"burst {i}", client_id = $"b{i}" });
        }

        var frames = 0;
        while (frames < 15)
        {
            var frame = await client.ReceiveUntilAsync(f => ChatClient.Type(f) == "message");
            last = DateTimeOffset.Parse((string)frame["message"]!["timestamp"]!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            frames++;
        }

        // Held back: the index still has an earlier moment than the burst's last message.
        var held = await db.SortedSetScoreAsync(UserKeys.RoomActivity, room);
        Assert.True(held < last, $"The index moved to {held} at once; the burst's last message was at {last}.");

        // Written by the upkeep within the interval and a tick: the index moves past the held
        // moment and ends at the burst's last message (its activity is taken just before the
        // append that stamps the message, so within a few milliseconds of it).
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        double? score;
        while ((score = await db.SortedSetScoreAsync(UserKeys.RoomActivity, room)) <= held)
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"The held-back activity was never written (index at {score}, last message at {last}).");
            }

            await Task.Delay(100, CancellationToken.None);
        }

        Assert.InRange(score!.Value, last - 20, last + 20);
    }
}
