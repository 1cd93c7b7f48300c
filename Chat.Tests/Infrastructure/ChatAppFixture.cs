using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Chat.Api.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Chat.Tests.Infrastructure;

/// <summary>
/// The whole distributed app, started once per test collection: a local redis-server with its
/// data in a temporary folder, and two chat-api replicas behind the orchestrator's proxy.
/// </summary>
public class ChatAppFixture : IAsyncLifetime
{
    private readonly string _redisData = Directory.CreateTempSubdirectory("chat-tests-redis-").FullName;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The chat API through the orchestrator's proxy, which balances per TCP connection.</summary>
    public Uri ApiUri { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>A direct connection to the app's Redis, to check what was stored.</summary>
    public IConnectionMultiplexer Redis { get; private set; } = null!;

    /// <summary>
    /// Settings passed to every API replica. Fixtures that need others override this with
    /// <see cref="WithApiSettings"/>, which keeps these defaults unless it replaces them.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string> ApiSettings => DefaultApiSettings;

    private static readonly Dictionary<string, string> DefaultApiSettings = new()
    {
        // Small enough (256 KiB, the least 4,000-character messages allow) that a member who stops reading overflows it within a test.
        ["Chat__OutgoingQueueBytes"] = "262144",
        // Short, so the 'unavailable' test does not wait long for a paused Redis.
        ["Chat__StoreTimeout"] = "00:00:02",
        // The testing builder runs no dashboard, yet points the replicas' OTLP exporter at
        // localhost:4317 with in-memory retries. Flushing into nothing on shutdown kept a stopping
        // replica alive past the orchestrator's stop timeout. The tests read no telemetry.
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        // Known to the tests, so they can forge tokens (expired, wrong issuer, …) that differ from
        // a real one in one respect only.
        ["Auth__SigningKey"] = TestTokens.SigningKey,
        // The per-user limits stay on, so every test runs through them, but far above what the
        // tests send: one fixture's "alice" sends thousands of messages over many tests. The
        // limits' own tests use their defaults in a fixture of their own.
        ["Limits__MessagesPerSecond"] = "100000",
        ["Limits__MessageBurst"] = "100000",
        ["Limits__GuestTokensPerMinute"] = "100000",
        ["Limits__SocketsPerUser"] = "1000",
        // Every test makes rooms of its own, most of them as "alice".
        ["Limits__RoomsPerDay"] = "1000000",
        // Below the default 100, so that the join-storm test's windows overflow into snapshots
        // with a few dozen joiners; no other test changes that many users in one room at once.
        ["Presence__MaxEventsPerWindow"] = "20",
        // Every activity written to the rooms directory at once: the directory tests read the
        // order right after the activity. The default (held back to once a second per room) has
        // its own test in the limits app, which keeps the production defaults.
        ["Chat__DirectoryWriteInterval"] = "00:00:00",
    };

    /// <summary>Settings passed to the web frontend, when it runs (<see cref="IncludesWeb"/>).</summary>
    protected virtual IReadOnlyDictionary<string, string> WebSettings => new Dictionary<string, string>
    {
        // As for the API: no dashboard runs, and exporting into nothing slows the stop.
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
    };

    /// <summary>The default settings with <paramref name="overrides"/> added or replacing them.</summary>
    protected static IReadOnlyDictionary<string, string> WithApiSettings(IReadOnlyDictionary<string, string> overrides)
    {
        var settings = new Dictionary<string, string>(DefaultApiSettings);
        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }

        return settings;
    }

    /// <summary>
    /// Whether the web frontend runs. Only the browser tests need it; on two cores every other
    /// fixture starts faster and runs quieter without it, so it is removed from their model.
    /// </summary>
    protected virtual bool IncludesWeb => false;

    /// <summary>The allowed origin when the frontend is left out: where it lives in development.</summary>
    public const string WebOrigin = "http://localhost:5170";

    /// <summary>The AppHost's configuration; <paramref name="redisDataDirectory"/> is a temporary folder this fixture deletes.</summary>
    protected virtual IEnumerable<string> AppHostArguments(string redisDataDirectory) =>
        ["Redis:Mode=local", $"Redis:DataDirectory={redisDataDirectory}", "ChatApi:Replicas=2"];

    public async Task InitializeAsync()
    {
        EnsureRedisServerInstalled();
        using var startup = new CancellationTokenSource(TestTimeouts.Startup);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Chat_AppHost>(
            [.. AppHostArguments(_redisData)],
            startup.Token);
        builder.Services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            logging.AddFilter("Aspire.Hosting.Dcp", LogLevel.Error);
        });

        var api = builder.CreateResourceBuilder<ProjectResource>("chat-api");
        foreach (var (name, value) in ApiSettings)
        {
            api.WithEnvironment(name, value);
        }

        if (!IncludesWeb)
        {
            builder.Resources.Remove(builder.Resources.Single(r => r.Name == AppResources.Web));
            // The origin the AppHost would take from chat-web's endpoint; the Origin tests use it.
            api.WithEnvironment("Security__AllowedOrigins__0", WebOrigin);
        }
        else
        {
            var web = builder.CreateResourceBuilder<ProjectResource>(AppResources.Web);
            foreach (var (name, value) in WebSettings)
            {
                web.WithEnvironment(name, value);
            }
        }

        _app = await builder.BuildAsync(startup.Token).WaitAsync(startup.Token);
        await _app.StartAsync(startup.Token).WaitAsync(startup.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("chat-api", startup.Token).WaitAsync(startup.Token);

        ApiUri = _app.GetEndpoint("chat-api", "http");
        Http = new HttpClient { BaseAddress = ApiUri };
        var redisConnectionString = await _app.GetConnectionStringAsync("redis", startup.Token)
            ?? throw new InvalidOperationException("The app has no Redis connection string.");
        Redis = await ConnectionMultiplexer.ConnectAsync(redisConnectionString + ",allowAdmin=true");
    }

    public virtual async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TestTimeouts.Startup);
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_redisData, recursive: true);
        }
        catch (IOException)
        {
            // redis-server may still be flushing its append-only file; the OS temp cleaner gets it.
        }
    }

    /// <summary>A guest token for <paramref name="username"/>.</summary>
    /// <summary>
    /// The access token of the guest signed in as <paramref name="username"/>. A name is reserved
    /// while its holder is signed in, so the first call signs in and later calls reuse that
    /// session's token, as a browser's tabs share one: "alice" is one user throughout a fixture.
    /// </summary>
    public async Task<string> GetTokenAsync(string username)
    {
        if (_tokens.TryGetValue(username.ToLowerInvariant(), out var known))
        {
            return known;
        }

        var token = (string)(await SignInAsync(username))["access_token"]!;
        _tokens[username.ToLowerInvariant()] = token;
        return token;
    }

    /// <summary>The client address a sign-in claims through <c>X-Forwarded-For</c>; none by default.</summary>
    protected virtual string? ClientAddressForSignIn() => null;

    /// <summary>Signs a new guest in and returns the whole answer (access and refresh token); fails when the name is taken.</summary>
    public async Task<JsonObject> SignInAsync(string username)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/guest") { Content = JsonContent.Create(new { username }) };
        if (ClientAddressForSignIn() is { } address)
        {
            request.Headers.Add("X-Forwarded-For", address);
        }

        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Opens a chat socket for a new guest; <paramref name="since"/> resumes.</summary>
    public async Task<ChatClient> ConnectAsync(string room, string username, string? since = null)
    {
        var token = await GetTokenAsync(username);
        return await ChatClient.ConnectAsync(ApiUri, room, token, since);
    }

    /// <summary>
    /// Connects clients until both replicas serve at least one, telling them apart by
    /// X-Chat-Instance; the proxy's balancing is not assumed.
    /// </summary>
    public Task<(ChatClient OnFirst, ChatClient OnSecond)> ConnectToBothReplicasAsync(string room, string username) =>
        ConnectToBothReplicasAsync(() => ConnectAsync(room, username));

    /// <summary>The same, with <paramref name="connect"/> opening each socket (a given token, a retry policy).</summary>
    public static async Task<(ChatClient OnFirst, ChatClient OnSecond)> ConnectToBothReplicasAsync(Func<Task<ChatClient>> connect)
    {
        var first = await connect();
        return (first, await ConnectWhereAsync(connect, c => c.Instance != first.Instance, $"a replica other than {first.Instance}"));
    }

    /// <summary>A client of <paramref name="username"/> that lands where <paramref name="wanted"/> says.</summary>
    public Task<ChatClient> ConnectWhereAsync(string room, string username, Func<ChatClient, bool> wanted, string where) =>
        ConnectWhereAsync(() => ConnectAsync(room, username), wanted, where);

    /// <summary>
    /// Connects until a client lands where <paramref name="wanted"/> says, for up to
    /// <see cref="ReplicaWait"/>: a replica a fault test just restarted may still be starting
    /// although the resource already reports healthy (its other replica is).
    /// </summary>
    public static async Task<ChatClient> ConnectWhereAsync(Func<Task<ChatClient>> connect, Func<ChatClient, bool> wanted, string where)
    {
        using var deadline = new CancellationTokenSource(ReplicaWait);
        var attempts = 0;
        while (true)
        {
            attempts++;
            var client = await connect();
            if (wanted(client))
            {
                return client;
            }

            await client.DisposeAsync();
            if (deadline.IsCancellationRequested)
            {
                throw new InvalidOperationException($"{attempts} connections in {ReplicaWait.TotalSeconds} s never reached {where}; is chat-api running with 2 replicas?");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }

    /// <summary>
    /// How long <see cref="ConnectWhereAsync(Func{Task{ChatClient}}, Func{ChatClient, bool}, string)"/> looks for a replica. A clean-clone CI run
    /// once found a restarted replica not serving after 20 s while the machine built and ran
    /// everything else; a passing test never waits this long.
    /// </summary>
    public static readonly TimeSpan ReplicaWait = TimeSpan.FromSeconds(60);

    /// <summary>A client on the replica called <paramref name="instance"/> (the proxy is not steered; tries until one lands there).</summary>
    public Task<ChatClient> ConnectToReplicaAsync(string room, string username, string instance) =>
        ConnectWhereAsync(room, username, c => c.Instance == instance, $"replica {instance}");

    /// <summary>Every id in a room's stream, oldest first, read straight from Redis.</summary>
    public async Task<List<string>> ReadStreamIdsAsync(string room)
    {
        var entries = await Redis.GetDatabase().StreamRangeAsync(new RoomKeys(room).Messages, "-", "+");
        return entries.Select(e => (string)e.Id!).ToList();
    }

    private static void EnsureRedisServerInstalled()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "redis-server")));
        if (!onPath)
        {
            throw new InvalidOperationException(
                "The integration tests run Redis as a local redis-server. Install it ('sudo apt-get install redis-server' " +
                "on Debian/Ubuntu, 'brew install redis' on macOS) or run ./test.sh, which installs it.");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ChatAppCollection : ICollectionFixture<ChatAppFixture>
{
    public const string Name = "chat app";
}
