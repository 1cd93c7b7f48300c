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
    .WithEnvironment("Security__ProxySecret", proxySecret)
    .WithHttpHealthCheck("/health")
    // The AppHost's own Limits section (e.g. ./run.sh --Limits:Enabled=false) reaches every replica.
    .WithConfigurationSection(builder.Configuration, "Limits")
    // Two replicas by default so cross-replica fan-out is exercised on every local run.
    .WithReplicas(builder.Configuration.GetValue("ChatApi:Replicas", 2));

// The browser app. It serves the page and forwards /api and /ws to chat-api through service
// discovery, so the browser talks to one origin (http://localhost:5170, its launch profile).
var chatWeb = builder.AddProject<Projects.Chat_Web>("chat-web")
    .WithReference(chatApi).WaitFor(chatApi)
    .WithEnvironment("Web__ProxySecret", proxySecret)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

// Pages from the web frontend's origin may open sockets and post; any other origin is refused.
// By default that is wherever chat-web really listens (http://localhost:5170 from its launch
// profile; the testing builder picks another port), so the two cannot drift apart.
// Security:AllowedOrigins replaces it, e.g. when a browser reaches the frontend by another name.
var allowedOrigin = builder.Configuration["Security:AllowedOrigins"];
if (string.IsNullOrEmpty(allowedOrigin))
{
    chatApi.WithEnvironment("Security__AllowedOrigins__0", chatWeb.GetEndpoint("http"));
}
else
{
    chatApi.WithEnvironment("Security__AllowedOrigins__0", allowedOrigin);
}

builder.Build().Run();
