using Chat.Api.Connections;

namespace Chat.Api.Rooms;

/// <summary>
/// Adds the private-room rule to the control channel's recheck at start-up: a removal notice
/// missed while pub/sub was down still ends the removed member's socket once it comes back.
/// </summary>
public sealed class MembershipRecheck(ControlChannel control, RoomAccess access) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        control.RecheckRules.Add(connection => access.MayReadAsync(new Storage.RoomKeys(connection.RoomId), connection.User));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
