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
    ProviderSignOuts signOuts,
    TimeProvider time,
    ILogger<ControlChannel> logger) : IHostedService, IDisposable
{
    /// <summary>Where a request keeps <see cref="Notices"/> as it was before its checks (<see cref="Stamp"/>).</summary>
    public const string StampKey = "chat.control.stamp";

    private const string SignOut = "signout";
    private const string Removed = "removed";

    private static readonly TimeSpan s_recheckRetry = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stopping = new();
    private long _notices;

    /// <summary>
    /// How many notices this replica has handled. A handshake reads it before its checks and again
    /// once its socket is registered: a notice handled in between found nothing to close, so the
    /// socket checks itself (<see cref="IsStillAllowedAsync"/>) before it is sent anything.
    /// </summary>
    public long Notices => Interlocked.Read(ref _notices);

    /// <summary>Keeps <see cref="Notices"/> on the request, before anything about it is checked.</summary>
    public void Stamp(HttpContext context) => context.Items[StampKey] = Notices;

    /// <summary>The request's stamp, or null when it has none (then the socket always checks again).</summary>
    public static long? StampOf(HttpContext context) => context.Items[StampKey] as long?;

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
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Dispose();

    private void Handle(string notice)
    {
        // Counted before the scan: a socket registered after the scan sees the count moved.
        Interlocked.Increment(ref _notices);
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

    /// <summary>
    /// Closes every socket whose session ended, or that a rule refuses, while notices could have
    /// been missed. A Redis that fails again right after reconnecting does not end the recheck: it
    /// starts over after a pause until it completes (or the replica stops).
    /// </summary>
    public async Task RecheckAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                foreach (var connection in tracker.Connections)
                {
                    if (!await IsStillAllowedAsync(connection))
                    {
                        connection.RequestClose(CloseCodes.PolicyViolation, "signed out or removed");
                    }
                }

                return;
            }
            catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
            {
                Log.ControlRecheckFailed(logger, ex);
            }

            try
            {
                await Task.Delay(s_recheckRetry, time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Whether <paramref name="connection"/>'s user is still signed in and still allowed in its room. Throws when Redis is unavailable.</summary>
    public async Task<bool> IsStillAllowedAsync(ChatConnection connection)
    {
        var user = connection.User;
        var signedIn = user.IsGuest
            ? await sessions.IsActiveAsync(user)
            : !await signOuts.IsSignedOutAsync(user, connection.TokenIssuedAtUtc);
        if (!signedIn)
        {
            return false;
        }

        foreach (var rule in RecheckRules)
        {
            if (!await rule(connection))
            {
                return false;
            }
        }

        return true;
    }
}
