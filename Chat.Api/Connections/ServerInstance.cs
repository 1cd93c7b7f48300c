using Chat.Api.Options;
using Microsoft.Extensions.Options;

namespace Chat.Api.Connections;

/// <summary>Names this replica to clients and operators (<c>X-Chat-Instance</c> and the first frame).</summary>
public sealed class ServerInstance(IOptions<ChatOptions> options, IConfiguration configuration)
{
    public const string HeaderName = "X-Chat-Instance";

    /// <summary>
    /// <c>Chat:InstanceId</c> when set; else the name the orchestrator gives the replica, built from
    /// the OpenTelemetry service name and <c>service.instance.id</c> it passes (the name the
    /// dashboard shows, e.g. <c>chat-api-abcd1234</c>); else host name and process id.
    /// </summary>
    public string Id { get; } = options.Value.InstanceId is { Length: > 0 } configured
        ? configured
        : (configuration["OTEL_SERVICE_NAME"], FromResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"])) is ({ Length: > 0 } service, { } replica)
            ? $"{service}-{replica}"
            : $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// A socket's id across every replica and restart, for the per-user socket count: the replica,
    /// its process and the connection's request id.
    /// </summary>
    public string SocketId(string connectionId) => $"{Id}:{Environment.ProcessId}:{connectionId}";

    private static string? FromResourceAttributes(string? attributes)
    {
        const string Key = "service.instance.id=";
        foreach (var pair in (attributes ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith(Key, StringComparison.Ordinal) && pair.Length > Key.Length)
            {
                return pair[Key.Length..];
            }
        }

        return null;
    }
}
