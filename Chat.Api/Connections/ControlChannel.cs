using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Storage;
using StackExchange.Redis;

namespace Chat.Api.Connections;

/// <summary>
/// Service-wide notices that end sockets on every replica (<see cref="UserKeys.Control"/>):
/// <c>signout &lt;subject&gt;</c> closes all of a user's sockets, <c>removed &lt;room&gt; &lt;subject&gt;</c>
/// the user's sockets in one private room, both with 1008. Pub/sub can drop a notice while its
/// connection is down, so when the subscription comes back every socket's session is checked
/// again (<see cref="RecheckAsync"/>); a missed notice ends the socket then instead of never.
/// </summary>
public sealed class ControlChannel(
    IConnectionMultiplexer redis,
    ConnectionTracker tracker,
    GuestSessions sessions,
    ILogger<ControlChannel> logger) : IHostedService
{
    private const string SignOut = "signout";
    private const string Removed = "removed";

    /// <summary>Checks run for every socket after a resubscription, besides the session check; private rooms add theirs.</summary>
    public List<Func<ChatConnection, Task<bool>>> RecheckRules { get; } = [];

    public Task PublishSignOutAsync(ChatUser user) =>
        redis.GetSubscriber().PublishAsync(UserKeys.Control, $"{SignOut} {user.Subject}");

    public Task PublishRemovalAsync(string roomId, string subject) =>
        redis.GetSubscriber().PublishAsync(UserKeys.Control, $"{Removed} {roomId} {subject}");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            await redis.GetSubscriber().SubscribeAsync(UserKeys.Control, (_, message) => Handle(message!));
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // StackExchange.Redis subscribes again by itself once Redis answers.
            Log.ControlSubscribeFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        return Task.CompletedTask;
    }

    private void Handle(string notice)
    {
        var parts = notice.Split(' ');
        switch (parts)
        {
            case [SignOut, var subject]:
                tracker.CloseWhere(c => c.User.Subject == subject, CloseCodes.PolicyViolation, "signed out");
                break;
            case [Removed, var roomId, var subject]:
                tracker.CloseWhere(c => c.User.Subject == subject && c.RoomId == roomId, CloseCodes.PolicyViolation, "removed from the room");
                break;
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = RecheckAsync();
        }
    }

    /// <summary>Closes every socket whose session ended, or that a rule refuses, while notices could have been missed.</summary>
    public async Task RecheckAsync()
    {
        foreach (var connection in tracker.Connections)
        {
            try
            {
                var allowed = !connection.User.IsGuest || await sessions.IsActiveAsync(connection.User);
                foreach (var rule in RecheckRules)
                {
                    allowed = allowed && await rule(connection);
                }

                if (!allowed)
                {
                    connection.RequestClose(CloseCodes.PolicyViolation, "signed out or removed");
                }
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                Log.ControlRecheckFailed(logger, ex);
                return;
            }
        }
    }
}
