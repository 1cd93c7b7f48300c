using Chat.Api.Options;
using Microsoft.Extensions.Options;

namespace Chat.Api.Connections;

/// <summary>Names this replica to clients and operators (<c>X-Chat-Instance</c> and the first frame).</summary>
public sealed class ServerInstance(IOptions<ChatOptions> options)
{
    public const string HeaderName = "X-Chat-Instance";

    public string Id { get; } = options.Value.InstanceId is { Length: > 0 } configured
        ? configured
        : $"{Environment.MachineName}-{Environment.ProcessId}";
}
