using System.Net;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration.Faults;

/// <summary>docs/protocol.md, "Rooms directory": Redis unavailable is 503, and the directory answers again once it is back.</summary>
[Collection(FaultAppCollection.Name)]
public sealed class DirectoryOutageTests(FaultAppFixture app)
{
    [Fact]
    public async Task A_frozen_Redis_makes_the_directory_answer_503_until_it_thaws()
    {
        var token = await app.GetTokenAsync(RoomCalls.NewUserName("reader"));
        using (var before = await app.SendAsync(HttpMethod.Get, DirectoryCalls.DirectoryPath(limit: 1), token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var redis = await AppResources.ProcessIdAsync(app.App, AppResources.RedisServer);
        AppResources.Signal(redis, "STOP");
        HttpStatusCode frozen;
        try
        {
            // Chat:StoreTimeout is 2 s in the test app.
            using var response = await app.SendAsync(HttpMethod.Get, DirectoryCalls.DirectoryPath(limit: 1), token);
            frozen = response.StatusCode;
        }
        finally
        {
            AppResources.Signal(redis, "CONT");
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, frozen);
        await app.ListRoomsAsync(token, limit: 1);
    }
}
