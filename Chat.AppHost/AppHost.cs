using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

// Backing store: one Redis for message streams, dedupe keys and pub/sub fan-out. How it is
// hosted (container, local redis-server, local cluster, or external) depends on the machine; see RedisHosting.
var redis = builder.AddChatRedis();

// Shared by every API replica so a token issued by one is accepted by all of them.
var jwtSigningKey = builder.AddParameter(
    "jwt-signing-key",
    new GenerateParameterDefault { MinLength = 48, Special = false },
    secret: true);

// The web frontend sends it with every request it forwards; the API believes the frontend's
// X-Forwarded-For (the browser's address, which per-address limits count) only with it.
var proxySecret = builder.AddParameter(
    "web-proxy-secret",
    new GenerateParameterDefault { MinLength = 48, Special = false },
    secret: true);

var chatApi = builder.AddProject<Projects.Chat_Api>("chat-api")
    .WithReference(redis).WaitForChatRedis(redis)
    .WithEnvironment("Auth__SigningKey", jwtSigningKey)
    // The web frontend lives at this origin; pages from any other are refused.
    .WithEnvironment("Security__AllowedOrigins__0", builder.Configuration.GetValue("Security:AllowedOrigins", "http://localhost:5170"))
    .WithEnvironment("Security__ProxySecret", proxySecret)
    .WithHttpHealthCheck("/health")
    // The AppHost's own Limits section (e.g. ./run.sh --Limits:Enabled=false) reaches every replica.
    .WithConfigurationSection(builder.Configuration, "Limits")
    // Two replicas by default so cross-replica fan-out is exercised on every local run.
    .WithReplicas(builder.Configuration.GetValue("ChatApi:Replicas", 2));

// The browser app. It serves the page and forwards /api and /ws to chat-api through service
// discovery, so the browser talks to one origin (http://localhost:5170, its launch profile).
builder.AddProject<Projects.Chat_Web>("chat-web")
    .WithReference(chatApi).WaitFor(chatApi)
    .WithEnvironment("Web__ProxySecret", proxySecret)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
