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

var chatApi = builder.AddProject<Projects.Chat_Api>("chat-api")
    .WithReference(redis).WaitForChatRedis(redis)
    .WithEnvironment("Auth__SigningKey", jwtSigningKey)
    // The web frontend (issue 9) will live at this origin; pages from any other are refused.
    .WithEnvironment("Security__AllowedOrigins__0", builder.Configuration.GetValue("Security:AllowedOrigins", "http://localhost:5170"))
    .WithHttpHealthCheck("/health")
    // The AppHost's own Limits section (e.g. ./run.sh --Limits:Enabled=false) reaches every replica.
    .WithConfigurationSection(builder.Configuration, "Limits")
    // Two replicas by default so cross-replica fan-out is exercised on every local run.
    .WithReplicas(builder.Configuration.GetValue("ChatApi:Replicas", 2));

builder.Build().Run();
