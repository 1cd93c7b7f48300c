using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting defaults every Chat service gets: OpenTelemetry, health checks, service discovery
/// and resilient HTTP clients. Kept in the shape of the Aspire service-defaults template so the
/// next engineer recognises it.
/// </summary>
public static class Extensions
{
    /// <summary>Readiness: every registered check, Redis included.</summary>
    public const string HealthEndpointPath = "/health";

    /// <summary>Liveness: only checks tagged "live", so a Redis outage does not restart the process.</summary>
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>
    /// Adds telemetry, health checks, service discovery and resilience to a service.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// Logs, traces and metrics through OpenTelemetry, including the meters and activity sources
    /// listed in <see cref="TelemetryNames"/>.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Logging.AddTokenRedaction();

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                // Runtime instrumentation carries process memory and GC figures to the dashboard.
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(TelemetryNames.Meters);
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(builder.Environment.ApplicationName)
                    .AddSource(TelemetryNames.ActivitySources)
                    .AddAspNetCoreInstrumentation(options =>
                    {
                        // Health probes every few seconds would drown the traces that matter.
                        options.Filter = context =>
                            !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                            && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath);
                        options.EnrichWithHttpRequest = TokenRedaction.RedactQuery;
                    })
                    .AddHttpClientInstrumentation(options => options.EnrichWithHttpRequestMessage = TokenRedaction.RedactUrl);
            });

        builder.AddOpenTelemetryExporters();
        return builder;
    }

    private static TBuilder AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Export only where a collector was named (the AppHost sets this for every resource);
        // a bare `dotnet run` of one service stays quiet instead of failing to connect.
        var useOtlpExporter = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (useOtlpExporter)
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Adds a liveness check tagged "live"; services add their own readiness checks.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        return builder;
    }

    /// <summary>Maps <c>/health</c> (ready) and <c>/alive</c> (live).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Health endpoints answer in every environment: the orchestrator (DCP locally, Azure
        // Container Apps in production) probes them to route traffic and restart replicas.
        // They report status only, never details, so they leak nothing.
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains("live"),
        });

        return app;
    }
}
