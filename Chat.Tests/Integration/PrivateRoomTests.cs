using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>docs/protocol.md, "Rooms": private rooms, their owner's member list, and what non-members get.</summary>
[Collection(ChatAppCollection.Name)]
public sealed class PrivateRoomTests(ChatAppFixture app)
{
    [Fact]
    public async Task Creating_a_private_room_is_201_with_its_location()
    {
        var room = TestRooms.New("private");
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));

        using var response = await app.CreateRoomAsync(owner, room, isPrivate: true);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/rooms/{room}/messages", response.Headers.Location?.OriginalString);
        Assert.Equal(room, (string?)body!["room_id"]);
        Assert.True((bool)body["private"]!);
    }

    [Fact]
    public async Task Creating_a_room_whose_id_is_taken_is_409_for_private_and_public_rooms_alike()
    {
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        var other = await app.GetTokenAsync(RoomCalls.NewUserName("other"));
        var privateRoom = TestRooms.New("taken-private");
        var joinedRoom = TestRooms.New("taken-public");
        await app.CreatePrivateRoomAsync(owner, privateRoom);
        await using (var member = await ChatClient.ConnectAsync(app.ApiUri, joinedRoom, other))
        {
            await member.ReceiveHistoryAsync();
        }

        using var again = await app.CreateRoomAsync(other, privateRoom, isPrivate: false);
        using var overPublic = await app.CreateRoomAsync(owner, joinedRoom, isPrivate: true);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("room_id", (string?)(await RoomCalls.ProblemAsync(again))["field"]);
        Assert.Equal(HttpStatusCode.Conflict, overPublic.StatusCode);
    }

    [Fact]
    public async Task A_public_room_created_explicitly_admits_anyone()
    {
        var room = TestRooms.New("explicit-public");
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        using var created = await app.CreateRoomAsync(owner, room, isPrivate: false);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await using var stranger = await ChatClient.ConnectAsync(app.ApiUri, room, await app.GetTokenAsync(RoomCalls.NewUserName("stranger")));
        Assert.Equal("messages", ChatClient.Type(await stranger.ReceiveHistoryAsync()));
    }

    [Theory]
    [InlineData("{not json", "body")]
    [InlineData("[1,2]", "body")]
    [InlineData("null", "body")]
    [InlineData("""{"room_id":"has space","private":true}""", "room_id")]
    [InlineData("""{"room_id":"{braces}","private":true}""", "room_id")]
    [InlineData("""{"private":true}""", "room_id")]
    [InlineData("""{"room_id":5,"private":true}""", "room_id")]
    [InlineData("""{"room_id":"fine-id"}""", "private")]
    [InlineData("""{"room_id":"fine-id","private":"yes"}""", "private")]
    public async Task A_bad_create_request_is_400_naming_the_field(string body, string field)
    {
        var owner = await app.GetTokenAsync("alice");

        using var response = await app.SendAsync(HttpMethod.Post, "/api/rooms", owner, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (string?)(await RoomCalls.ProblemAsync(response))["field"]);
    }

    [Fact]
    public async Task Creating_a_room_without_a_token_is_401()
    {
        using var response = await app.Http.PostAsJsonAsync("/api/rooms", new { room_id = TestRooms.New("anonymous"), @private = true });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_non_member_gets_403_at_the_handshake_and_from_the_history()
    {
        var room = TestRooms.New("members-only");
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        await app.CreatePrivateRoomAsync(owner, room);
        await using (var writer = await ChatClient.ConnectAsync(app.ApiUri, room, owner))
        {
            await writer.ReceiveHistoryAsync();
            await writer.SendMessageAsync("for members only");
        }

        var stranger = await app.GetTokenAsync(RoomCalls.NewUserName("stranger"));

        using var refused = await app.RefusedHandshakeAsync(room, stranger);
        Assert.Equal(HttpStatusCode.Forbidden, refused.HttpStatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await app.HistoryStatusAsync(stranger, room));
        Assert.Equal(HttpStatusCode.OK, await app.HistoryStatusAsync(owner, room));
    }

    [Fact]
    public async Task A_bad_since_is_400_before_membership_is_checked()
    {
        var room = TestRooms.New("shape-first");
        await app.CreatePrivateRoomAsync(await app.GetTokenAsync(RoomCalls.NewUserName("owner")), room);

        var status = await app.RefusedHandshakeStatusAsync(room, await app.GetTokenAsync(RoomCalls.NewUserName("stranger")), since: "not-an-id");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task A_member_the_owner_added_joins_and_reads_the_history()
    {
        var room = TestRooms.New("added");
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        var memberName = RoomCalls.NewUserName("member");
        var member = await app.GetTokenAsync(memberName);
        await app.CreatePrivateRoomAsync(owner, room);
        string id;
        await using (var writer = await ChatClient.ConnectAsync(app.ApiUri, room, owner))
        {
            await writer.ReceiveHistoryAsync();
            id = await writer.SendMessageAsync("welcome");
        }

        Assert.Equal(HttpStatusCode.NoContent, await app.AddMemberAsync(owner, room, memberName.ToUpperInvariant()));

        await using var joined = await ChatClient.ConnectAsync(app.ApiUri, room, member);
        var history = await joined.ReceiveHistoryAsync();
        Assert.Equal([id], history["messages"]!.AsArray().Select(m => (string)m!["id"]!));
        using var page = await app.SendAsync(HttpMethod.Get, $"/api/rooms/{room}/messages", member);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("welcome", (string?)(await page.Content.ReadFromJsonAsync<JsonObject>())!["messages"]![0]!["content"]);
    }

    [Fact]
    public async Task Only_the_owner_manages_members_and_a_public_room_has_no_member_list()
    {
        var room = TestRooms.New("not-yours");
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        var memberName = RoomCalls.NewUserName("member");
        var member = await app.GetTokenAsync(memberName);
        var thirdName = RoomCalls.NewUserName("third");
        await app.GetTokenAsync(thirdName);
        await app.CreatePrivateRoomAsync(owner, room);
        Assert.Equal(HttpStatusCode.NoContent, await app.AddMemberAsync(owner, room, memberName));
        var publicRoom = TestRooms.New("public");
        using (var created = await app.CreateRoomAsync(owner, publicRoom, isPrivate: false))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, await app.AddMemberAsync(member, room, thirdName));
        Assert.Equal(HttpStatusCode.Forbidden, await app.RemoveMemberAsync(member, room, memberName));
        Assert.Equal(HttpStatusCode.Forbidden, await app.AddMemberAsync(owner, publicRoom, thirdName));
    }

    [Fact]
    public async Task An_unknown_user_or_room_is_404_and_the_owner_cannot_leave_with_409()
    {
        var room = TestRooms.New("unknowns");
        var ownerName = RoomCalls.NewUserName("owner");
        var owner = await app.GetTokenAsync(ownerName);
        await app.CreatePrivateRoomAsync(owner, room);

        Assert.Equal(HttpStatusCode.NotFound, await app.AddMemberAsync(owner, room, RoomCalls.NewUserName("nobody")));
        Assert.Equal(HttpStatusCode.NotFound, await app.AddMemberAsync(owner, TestRooms.New("no-such-room"), ownerName));
        Assert.Equal(HttpStatusCode.BadRequest, await app.AddMemberAsync(owner, room, "not a name"));
        Assert.Equal(HttpStatusCode.Conflict, await app.RemoveMemberAsync(owner, room, ownerName));
    }

    [Fact]
    public async Task Removing_a_member_closes_their_sockets_on_every_replica_with_1008()
    {
        var room = TestRooms.New("removed");
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        var memberName = RoomCalls.NewUserName("member");
        var member = await app.GetTokenAsync(memberName);
        await app.CreatePrivateRoomAsync(owner, room);
        Assert.Equal(HttpStatusCode.NoContent, await app.AddMemberAsync(owner, room, memberName));
        var (first, second) = await app.ConnectToBothReplicasAsync(room, memberName);
        await using var onFirst = first;
        await using var onSecond = second;
        await onFirst.ReceiveHistoryAsync();
        await onSecond.ReceiveHistoryAsync();

        Assert.Equal(HttpStatusCode.NoContent, await app.RemoveMemberAsync(owner, room, memberName));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await onFirst.ReceiveCloseAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await onSecond.ReceiveCloseAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await app.RefusedHandshakeStatusAsync(room, member));
    }

    [Fact]
    public async Task A_name_released_and_taken_again_is_not_a_member()
    {
        var room = TestRooms.New("released");
        var owner = await app.GetTokenAsync(RoomCalls.NewUserName("owner"));
        var name = RoomCalls.NewUserName("holder");
        var holder = (string)(await app.SignInAsync(name))["access_token"]!;
        await app.CreatePrivateRoomAsync(owner, room);
        Assert.Equal(HttpStatusCode.NoContent, await app.AddMemberAsync(owner, room, name));
        await using (var admitted = await ChatClient.ConnectAsync(app.ApiUri, room, holder))
        {
            await admitted.ReceiveHistoryAsync();
        }

        using (var logout = await app.SendAsync(HttpMethod.Post, "/api/auth/logout", holder))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        var newcomer = (string)(await app.SignInAsync(name))["access_token"]!;

        Assert.Equal(HttpStatusCode.Forbidden, await app.RefusedHandshakeStatusAsync(room, newcomer));
        Assert.Equal(HttpStatusCode.Forbidden, await app.HistoryStatusAsync(newcomer, room));
    }
}
