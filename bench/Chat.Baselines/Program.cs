using Chat.Baselines;

// The content root is the build output, not the working directory, so appsettings.json (Warning
// logging: these are benchmark servers) applies wherever the load test starts the process from.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

BaselineOptions options;
try
{
    options = BaselineOptions.Read(builder.Configuration);
}
catch (InvalidOperationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

// A benchmark run ends by stopping the server; open sockets must not hold that up for 30 s.
builder.Services.Configure<HostOptions>(static host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

switch (options.Mode)
{
    case BaselineMode.Seed:
        SeedServer.AddServices(builder.Services, options.Redis);
        break;
    case BaselineMode.SignalR:
        SignalRBaseline.AddServices(builder.Services, options.Redis);
        break;
    default:
        builder.Services.AddSingleton<InProcessServer>();
        break;
}

await using var app = builder.Build();

// Lets the load test wait for readiness the same way for every system under test.
app.MapGet("/health", static context => context.Response.WriteAsync("Healthy"));

switch (options.Mode)
{
    case BaselineMode.Seed:
        SeedServer.Map(app);
        break;
    case BaselineMode.SignalR:
        SignalRBaseline.Map(app);
        break;
    default:
        InProcessServer.Map(app);
        break;
}

await app.RunAsync();
return 0;
