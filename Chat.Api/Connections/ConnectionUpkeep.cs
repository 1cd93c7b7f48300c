using Chat.Api.Diagnostics;
using Chat.Api.Limits;
using Chat.Api.Options;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;

namespace Chat.Api.Connections;

/// <summary>
/// Once a second, for the whole replica rather than a timer per socket: closes sockets whose token
/// expired without renewal (1008), renews this replica's places in the per-user socket count,
/// forgets users whose message rate has recovered, and writes the rooms directory's held-back
/// activity (<see cref="RoomActivity.Flush"/>).
/// </summary>
public sealed class ConnectionUpkeep(
    ConnectionTracker tracker,
    UserSockets userSockets,
    MessageRateLimiter messageRate,
    RoomActivity roomActivity,
    IOptions<LimitsOptions> limits,
    ServerInstance instance,
    TimeProvider time,
    ILogger<ConnectionUpkeep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        var nextRenewal = time.GetUtcNow() + userSockets.RenewInterval;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = time.GetUtcNow();
                roomActivity.Flush(now.UtcDateTime);
                foreach (var connection in tracker.Connections)
                {
                    if (connection.IsTokenExpired(now.UtcDateTime))
                    {
                        connection.RequestClose(CloseCodes.PolicyViolation, "token expired; renew it with an auth frame before expires_at");
                    }
                }

                if (limits.Value.Enabled && now >= nextRenewal)
                {
                    nextRenewal = now + userSockets.RenewInterval;
                    messageRate.Sweep();
                    await RenewLeasesAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RenewLeasesAsync()
    {
        try
        {
            await userSockets.RenewAsync(tracker.Connections.Select(c => (c.User, instance.SocketId(c.ConnectionId))));
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            // A lapsed lease only lets the user open one more socket than allowed; retried next time.
            Log.SocketLeaseRenewFailed(logger, ex);
        }
    }
}
