namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The names of the meters and activity sources our services publish. One list, so a service
/// that adds an instrument cannot forget to have it exported.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The chat API's meter and activity source.</summary>
    public const string ChatApi = "Chat.Api";

    internal static readonly string[] Meters = [ChatApi];

    internal static readonly string[] ActivitySources = [ChatApi];
}
