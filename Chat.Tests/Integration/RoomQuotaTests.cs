using System.Net;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>Limits:RoomsPerDay: new rooms count against their creator's day, joining existing ones never does.</summary>
[Collection(LimitsAppCollection.Name)]
public sealed class RoomQuotaTests(LimitsAppFixture app)
{
    [Fact]
    public async Task A_user_past_the_daily_room_quota_gets_429_while_existing_rooms_still_admit_them()
    {
        // The quota is per UTC day; a run across midnight would start a new day's count.
        var creator = (string)(await app.SignInAsync(RoomCalls.NewUserName("creator")))["access_token"]!;
        var someoneElse = (string)(await app.SignInAsync(RoomCalls.NewUserName("else")))["access_token"]!;
        var othersRoom = TestRooms.New("others");
        await app.CreatePrivateRoomAsync(someoneElse, othersRoom);
        using (var publicOne = await app.CreateRoomAsync(someoneElse, othersRoom + "-public", isPrivate: false))
        {
            Assert.Equal(HttpStatusCode.Created, publicOne.StatusCode);
        }

        // One room by joining it, the rest of the day's quota by POST; joining one's own room again is free.
        var joinedRoom = TestRooms.New("quota-joined");
        for (var join = 0; join < 2; join++)
        {
            await using var member = await ChatClient.ConnectAsync(app.ApiUri, joinedRoom, creator);
            await member.ReceiveHistoryAsync();
        }

        for (var i = 1; i < LimitsAppFixture.RoomsPerDay; i++)
        {
            using var created = await app.CreateRoomAsync(creator, TestRooms.New("quota"), isPrivate: i % 2 == 0);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var oneTooMany = TestRooms.New("quota-over");
        using var refused = await app.RefusedHandshakeAsync(oneTooMany, creator);
        using var refusedCreate = await app.CreateRoomAsync(creator, TestRooms.New("quota-over"), isPrivate: true);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.HttpStatusCode);
        Assert.True(int.Parse(string.Join(",", refused.HttpResponseHeaders!["Retry-After"]), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 86_400);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedCreate.StatusCode);
        await RoomCalls.ProblemAsync(refusedCreate);
        // A taken id is 409 whatever the quota says: nothing was created, so nothing counts.
        using (var taken = await app.CreateRoomAsync(creator, othersRoom, isPrivate: true))
        {
            Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        }

        // Rooms that exist still admit the user.
        await using (var existing = await ChatClient.ConnectAsync(app.ApiUri, othersRoom + "-public", creator))
        {
            await existing.ReceiveHistoryAsync();
        }

        await using (var own = await ChatClient.ConnectAsync(app.ApiUri, joinedRoom, creator))
        {
            await own.ReceiveHistoryAsync();
        }

        // The refused handshake left no room behind: its id is free for someone with quota.
        using var freed = await app.CreateRoomAsync(someoneElse, oneTooMany, isPrivate: true);
        Assert.Equal(HttpStatusCode.Created, freed.StatusCode);
    }
}
