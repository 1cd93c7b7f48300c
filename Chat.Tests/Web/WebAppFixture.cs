using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Chat.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chat.Tests.Web;

/// <summary>
/// The whole AppHost with the web frontend, and one headless Chromium (Debian's, driven by
/// Playwright) that each test opens its own browser contexts in: a context is one browser
/// profile, so two contexts are two people.
/// </summary>
public sealed class WebAppFixture : ChatAppFixture, IAsyncLifetime
{
    /// <summary>
    /// Debian's chromium package's browser, or CHAT_CHROMIUM; Playwright's own browser download
    /// is never used (it cannot reach its servers here, and CI installs the OS package).
    /// </summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CHAT_CHROMIUM") is { Length: > 0 } configured
        ? configured
        : "/usr/bin/chromium";

    private IPlaywright? _playwright;

    protected override bool IncludesWeb => true;

    /// <summary>
    /// The message rate users really get (10/s after a burst of 20), so the page's handling of
    /// <c>rate_limited</c> is exercised; the other limits stay as high as in the shared app, since
    /// every browser here signs in from the same loopback address.
    /// </summary>
    protected override IReadOnlyDictionary<string, string> ApiSettings => WithApiSettings(new Dictionary<string, string>
    {
        ["Limits__MessagesPerSecond"] = "10",
        ["Limits__MessageBurst"] = "20",
    });

    /// <summary>Receives the frontend's telemetry, so the tests can look for tokens in it.</summary>
    public OtlpCollector Collector { get; } = new();

    /// <summary>
    /// The frontend exports to the test's collector and logs at Information, under the AppHost's
    /// run-mode environment (the instrumentations' own query redaction switched off).
    /// </summary>
    protected override IReadOnlyDictionary<string, string> WebSettings => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true",
        ["OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION"] = "true",
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        ["Logging__LogLevel__Yarp"] = "Information",
    };

    /// <summary>The frontend, at the port the testing builder gave it.</summary>
    public Uri WebUri { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests leave their screenshots: artifacts/screenshots at the repository root.</summary>
    public string ScreenshotDirectory { get; } = Screenshots.Directory();

    public new async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The browser tests drive Chromium at {ChromiumPath}, which is missing. Install it with " +
                "'sudo apt-get install chromium' (Debian/Ubuntu) or set CHAT_CHROMIUM to a Chromium executable; ./test.sh installs it.");
        }

        await base.InitializeAsync();
        using var startup = new CancellationTokenSource(TestTimeouts.Startup);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(AppResources.Web, startup.Token).WaitAsync(startup.Token);
        WebUri = App.GetEndpoint(AppResources.Web, "http");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Assertions.SetDefaultExpectTimeout((float)TestTimeouts.Default.TotalMilliseconds);
    }

    /// <summary>A new person: a browser profile of its own, at the frontend's address.</summary>
    public Task<IBrowserContext> NewPersonAsync(BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.BaseURL = WebUri.ToString();
        return Browser.NewContextAsync(options);
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
        Collector.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<WebAppFixture>
{
    public const string Name = "Web app";
}
