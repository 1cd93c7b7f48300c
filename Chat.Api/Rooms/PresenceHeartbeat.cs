using Chat.Api.Connections;
using Chat.Api.Diagnostics;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.Extensions.Options;

namespace Chat.Api.Rooms;

/// <summary>
/// Every <c>Presence:HeartbeatInterval</c>: renews this replica's presence in its rooms, sweeping
/// expired replica lives there, and sweeps rooms no live replica renews (see
/// <see cref="ReplicaPresence"/>). This sweep is how a killed replica's users are found gone: Redis
/// 7.0 has no per-field expiry, and expiry notifications may be late. On a graceful stop it waits
/// for the sockets to close (each says its own leave), then removes what is left.
/// </summary>
public sealed class PresenceHeartbeat(
    ReplicaPresence presence,
    ConnectionTracker tracker,
    IOptions<PresenceOptions> options,
    IOptions<ChatOptions> chat,
    TimeProvider time,
    ILogger<PresenceHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await presence.RenewAsync();
                    await presence.SweepOrphansAsync();
                }
                catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
                {
                    // Rooms that could not renew are rewritten whole at the next beat.
                    Log.PresenceSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // The tracker told every socket to close when the application began stopping; their
        // leaves are exact, so wait for them (bounded by the close handshake) before the sweep-all.
        var deadline = time.GetUtcNow() + chat.Value.CloseTimeout + chat.Value.StoreTimeout;
        while (tracker.Connections.Any() && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, CancellationToken.None);
        }

        try
        {
            await presence.StopAsync().WaitAsync(chat.Value.StoreTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Best effort: what is left expires with Presence:Ttl.
            Log.PresenceSweepFailed(logger, ex);
        }
    }
}
