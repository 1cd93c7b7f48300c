using System.Net.WebSockets;
using Chat.Tests.Infrastructure;

namespace Chat.Tests.Integration;

/// <summary>
/// An app whose replicas export telemetry to a collector in the test and log ASP.NET Core at
/// Information, under the AppHost's run-mode environment (query redaction switched off, the
/// always_on sampler), with every chat message sampled for tracing.
/// </summary>
public sealed class TelemetryAppFixture : ChatAppFixture, IDisposable
{
    public OtlpCollector Collector { get; } = new();

    protected override IReadOnlyDictionary<string, string> ApiSettings => WithApiSettings(new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true",
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        // Every message traced, so the tracing tests need not send a hundred to find one.
        ["Chat__MessageTraceRatio"] = "1",
    });

    public void Dispose() => Collector.Dispose();
}

[CollectionDefinition(Name)]
public sealed class TelemetryAppCollection : ICollectionFixture<TelemetryAppFixture>
{
    public const string Name = "chat app exporting telemetry";
}

/// <summary>The access token never reaches logs or exported telemetry, whatever the environment says.</summary>
[Collection(TelemetryAppCollection.Name)]
public sealed class TokenRedactionTests(TelemetryAppFixture app)
{
    [Fact]
    public async Task A_token_in_the_query_of_a_socket_appears_in_no_log_and_no_exported_span()
    {
        var room = TestRooms.New("redaction");
        var token = await app.GetTokenAsync("alice");
        string instance;
        using (var socket = new ClientWebSocket())
        {
            socket.Options.CollectHttpResponseDetails = true;
            await socket.ConnectAsync(ChatClient.SocketUri(app.ApiUri, room, token: token), CancellationToken.None).WaitAsync(TestTimeouts.Default);
            instance = string.Join(",", socket.HttpResponseHeaders!["X-Chat-Instance"]);
            var buffer = new byte[64 * 1024];
            await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TestTimeouts.Default);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(TestTimeouts.Default);
        }

        // The upgrade's span (the only one with a query) is exported once the socket closed,
        // within the 1 s export interval.
        using var deadline = new CancellationTokenSource(TestTimeouts.Default);
        while (!app.Collector.Contains("access_token=", "traces"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
        }

        var log = await AppResources.LogsAsync(app.App, instance);
        // Request-level logging was on: the endpoint's execution was logged for this request.
        Assert.Contains("/ws/chat/", log, StringComparison.Ordinal);
        Assert.False(app.Collector.Contains(token), "An exported span, log or metric carried the access token.");
        Assert.DoesNotContain(token, log, StringComparison.Ordinal);
        Assert.True(app.Collector.Contains("access_token=Redacted"), "The span's url.query should keep the parameter with its value redacted.");
        // The signature alone would be enough to replay nothing, but it would still be a leak.
        Assert.False(app.Collector.Contains(token[(token.LastIndexOf('.') + 1)..]));
    }
}
