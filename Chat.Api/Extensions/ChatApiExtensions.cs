using System.Text.Json;
using System.Text.Json.Serialization;
using Chat.Api.Apis;
using Chat.Api.Connections;
using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Limits;
using Chat.Api.Options;
using Chat.Api.Protocol;
using Chat.Api.Rooms;
using Chat.Api.Security;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Chat.Api.Extensions;

/// <summary>Registration and routes of the chat API, so Program.cs stays a table of contents.</summary>
public static class ChatApiExtensions
{
    /// <summary>The Aspire resource name of Redis; its connection string is <c>ConnectionStrings:redis</c>.</summary>
    public const string RedisConnectionName = "redis";

    /// <summary>Aspire's own switch; set it to <c>false</c> to have every Redis command traced again (costly under load).</summary>
    public const string RedisTracingSetting = "Aspire:StackExchange:Redis:DisableTracing";

    public static IHostApplicationBuilder AddChatApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>();
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.ConfigureOptions<KestrelLimitsSetup>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton<IValidateOptions<SecurityOptions>, ProductionOriginsValidator>();
        services.AddOptions<PresenceOptions>().BindConfiguration(PresenceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PresenceOptions>, PresenceOptionsValidator>();
        services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>, ForwardedHeadersSetup>();

        // Registers IConnectionMultiplexer, its health check, tracing and logging.
        builder.AddRedisClient(RedisConnectionName, configureSettings: settings =>
        {
            // No span per Redis command unless asked for: the client profiles every command and,
            // outside a request, makes each a root span (thousands a second under load, all
            // exported under the AppHost's always_on sampler). A sampled message's Redis call is
            // its chat.append span instead (MessageTracing), and metrics count every message.
            settings.DisableTracing = builder.Configuration.GetValue<bool?>(RedisTracingSetting) ?? true;
        }, configureOptions: redis =>
        {
            // Keep retrying in the background instead of failing start-up; sends answer
            // 'unavailable' meanwhile.
            redis.AbortOnConnectFail = false;
        });

        // Guest tokens always have a scheme; a provider's only when Auth:Authority is set. The
        // policy scheme sends each request to the one its token's issuer names (TokenRouting).
        var authentication = services.AddAuthentication(TokenRouting.Scheme)
            .AddPolicyScheme(TokenRouting.Scheme, displayName: null, options => options.ForwardDefaultSelector = context =>
                TokenRouting.SchemeFor(
                    JwtBearerSetup.FindToken(context.Request, out _),
                    context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value))
            .AddJwtBearer(IdentitySchemes.Guest);
        if (!string.IsNullOrEmpty(builder.Configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.Authority)}"]))
        {
            authentication.AddJwtBearer(IdentitySchemes.Provider);
        }

        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        services.AddAuthorization();

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ChatJsonContext.Default);
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.Encoder = MessageJson.Encoder;
        });

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SigningKeys>();
        services.AddSingleton(sp => new OriginAllowlist(sp.GetRequiredService<IOptions<SecurityOptions>>().Value.AllowedOrigins));
        services.AddSingleton<GuestTokenIssuer>();
        services.AddSingleton<GuestSessions>();
        services.AddSingleton<ProviderSignOuts>();
        services.AddSingleton<AccessTokenValidator>();
        services.AddSingleton<MessageRateLimiter>();
        services.AddSingleton<UserSockets>();
        services.AddSingleton<GuestIssuanceLimiter>();
        services.AddSingleton<RoomQuota>();
        services.AddSingleton<RoomAccess>();
        services.AddSingleton<RoomActivity>();
        services.AddSingleton<RoomDirectory>();
        services.AddSingleton<DirectoryTrim>();
        services.AddSingleton<ControlChannel>();
        services.AddHostedService(provider => provider.GetRequiredService<ControlChannel>());
        services.AddHostedService<MembershipRecheck>();
        services.AddHostedService<ConnectionUpkeep>();
        services.AddSingleton<ChatMetrics>();
        services.AddSingleton<ServerInstance>();
        services.AddSingleton<MessageLog>();
        services.AddSingleton<AppendBatcher>();
        services.AddSingleton<MessageTracing>();
        services.AddSingleton<RoomSubscriptions>();
        services.AddSingleton<RoomRegistry>();
        services.AddSingleton<PresenceStore>();
        services.AddSingleton<ReplicaPresence>();
        services.AddHostedService<PresenceHeartbeat>();
        services.AddSingleton<ConnectionTracker>();
        services.AddSingleton<ChatConnectionServices>();

        return builder;
    }

    /// <summary>The chat API's middleware, in order; routes are added by <see cref="MapChatApi"/>.</summary>
    public static WebApplication UseChatApi(this WebApplication app)
    {
        // First, so everything after it (the per-address limits) sees the client's address, as
        // forwarded by the web frontend or a trusted proxy only.
        app.UseTrustedProxies();

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Minimal APIs throw BadHttpRequestException for an unreadable body in Development;
            // it is the client's error, so it keeps its 400 instead of becoming a 500.
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        // Keep-alive pings and their timeout are set per socket from Chat:KeepAliveInterval and
        // Chat:KeepAliveTimeout.
        // Before UseWebSockets, which takes the upgrade feature it finds: a chat socket is accepted
        // onto a stream that writes a batch of messages as one write (BatchWriteStream).
        app.Use((context, next) =>
        {
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                var batched = new BatchWriteStream.UpgradeFeature(upgrade);
                context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>(batched);
                context.Features.Set(batched);
            }

            return next(context);
        });
        app.UseWebSockets();
        // After UseWebSockets, which is what recognises an upgrade; before authentication, so a
        // page from a foreign origin is told 403 whatever token it carries (or lacks).
        app.UseMiddleware<OriginCheckMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder app)
    {
        app.MapAuthApi();
        app.MapRoomsApi();
        app.MapRoomMembersApi();
        app.MapRoomDirectoryApi();
        app.MapPresenceApi();
        app.MapChatSocketApi();
        return app;
    }
}

// Duplicate properties are refused, as in WebSocket frames: {"username":"a","username":"b"} is ambiguous.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(GuestTokenRequest))]
[JsonSerializable(typeof(GuestTokenResponse))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(HistoryPage))]
[JsonSerializable(typeof(CreateRoomRequest))]
[JsonSerializable(typeof(CreatedRoom))]
[JsonSerializable(typeof(DirectoryPage))]
[JsonSerializable(typeof(OnlineUsers))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
