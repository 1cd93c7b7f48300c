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
    // Published, Aspire would switch on ASP.NET Core's forwarded headers with no known proxies,
    // believing anyone's X-Forwarded-For; the API believes only the frontend's (Security:ProxySecret).
    .DisableForwardedHeaders()
    .WithHttpHealthCheck("/health")
    // The AppHost's own Limits section (e.g. ./run.sh --Limits:Enabled=false) reaches every replica.
    .WithConfigurationSection(builder.Configuration, "Limits")
    // Two replicas by default so cross-replica fan-out is exercised on every local run.
    .WithReplicas(builder.Configuration.GetValue("ChatApi:Replicas", 2));

// The browser app. It serves the page and forwards /api and /ws to chat-api through service
// discovery, so the browser talks to one origin (http://localhost:5170, its launch profile).
// Published, it is the only resource with an external endpoint, and it keeps the forwarded headers
// Aspire switches on: the Container Apps ingress ends HTTPS and appends the browser's address.
var chatWeb = builder.AddProject<Projects.Chat_Web>("chat-web")
    .WithReference(chatApi).WaitFor(chatApi)
    .WithEnvironment("Web__ProxySecret", proxySecret)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

// Pages from the web frontend's origin may open sockets and post; any other origin is refused.
// Run mode: wherever chat-web listens, or Security:AllowedOrigins. Published: the web-origin
// parameter azd asks for (see WebOrigin).
chatApi.WithWebOrigin(chatWeb);

builder.Build().Run();
