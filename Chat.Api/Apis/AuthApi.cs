using Chat.Api.Connections;
using Chat.Api.Extensions;
using Chat.Api.Identity;
using Chat.Api.Limits;
using Chat.Api.Options;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Chat.Api.Apis;

/// <summary>
/// <c>/api/auth</c>: guest sign-in (<c>guest</c>), renewal (<c>refresh</c>) and sign-out
/// (<c>logout</c>). Sessions and their reserved names live in <see cref="GuestSessions"/>.
/// </summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Auth");

        api.MapPost("/guest", IssueGuestTokenAsync)
            .Accepts<GuestTokenRequest>("application/json")
            .WithName("IssueGuestToken")
            .WithSummary("Signs a guest in under a name nobody signed in holds; returns an access and a refresh token.")
            .AllowAnonymous();

        api.MapPost("/refresh", RefreshAsync)
            .Accepts<RefreshRequest>("application/json")
            .WithName("RefreshToken")
            .WithSummary("Returns a fresh access token for the refresh token's session while it lasts.")
            .AllowAnonymous();

        api.MapPost("/logout", LogoutAsync)
            .WithName("Logout")
            .WithSummary("Ends the caller's session: its tokens are refused, its sockets closed with 1008, its name freed.")
            .RequireAuthorization();

        return app;
    }

    public static async Task<Results<Ok<GuestTokenResponse>, ProblemHttpResult>> IssueGuestTokenAsync(
        HttpContext http,
        GuestSessions sessions,
        GuestTokenIssuer issuer,
        GuestIssuanceLimiter issuance,
        IOptions<AuthOptions> auth,
        IOptions<LimitsOptions> limits)
    {
        if (!auth.Value.GuestsEnabled)
        {
            return TypedResults.Problem(title: "Guests are disabled", detail: "Sign in with the identity provider.", statusCode: StatusCodes.Status403Forbidden);
        }

        // Read by hand rather than bound: a body that is not JSON gets ProblemDetails naming the
        // field, like every other bad input, instead of a binding failure logged with its stack.
        var request = await ReadBodyAsync(http, ChatJsonContext.Default.GuestTokenRequest);
        if (request.Error is { } bodyError)
        {
            return bodyError;
        }

        if (!ChatUser.TryValidateGuestName(request.Value?.Username, out var error))
        {
            return Invalid("username", error);
        }

        try
        {
            if (limits.Value.Enabled && await issuance.TryIssueAsync(http.Connection.RemoteIpAddress) is { } retryAfter)
            {
                http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    title: "Too many sign-ins",
                    detail: $"At most {limits.Value.GuestTokensPerMinute} guest tokens per minute from one address; retry after {retryAfter} s.",
                    statusCode: StatusCodes.Status429TooManyRequests);
            }

            if (await sessions.StartAsync(request.Value!.Username!) is not { } started)
            {
                return Problems.Taken("username", "Name in use",
                    "Somebody signed in holds this name (names are compared case-insensitively); pick another.");
            }

            return TypedResults.Ok(Respond(issuer, started.User, started.RefreshToken));
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            return Problems.Unavailable();
        }
    }

    public static async Task<Results<Ok<GuestTokenResponse>, ProblemHttpResult>> RefreshAsync(
        HttpContext http,
        GuestSessions sessions,
        GuestTokenIssuer issuer,
        IOptions<AuthOptions> auth)
    {
        var request = await ReadBodyAsync(http, ChatJsonContext.Default.RefreshRequest);
        if (request.Error is { } bodyError)
        {
            return bodyError;
        }

        if (string.IsNullOrEmpty(request.Value?.RefreshToken))
        {
            return Invalid("refresh_token", "refresh_token is required.");
        }

        try
        {
            if (!auth.Value.GuestsEnabled || await sessions.RefreshAsync(request.Value.RefreshToken) is not { } user)
            {
                return TypedResults.Problem(
                    title: "Session ended",
                    detail: "The session was signed out, expired, or the refresh token is wrong; sign in again.",
                    statusCode: StatusCodes.Status401Unauthorized);
            }

            return TypedResults.Ok(Respond(issuer, user, request.Value.RefreshToken));
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            return Problems.Unavailable();
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> LogoutAsync(
        HttpContext http,
        GuestSessions sessions,
        ProviderSignOuts signOuts,
        ControlChannel control)
    {
        if (ChatUser.FromPrincipal(http.User) is not { } user)
        {
            return TypedResults.Problem(title: "Invalid token", statusCode: StatusCodes.Status401Unauthorized);
        }

        try
        {
            if (user.IsGuest)
            {
                await sessions.EndAsync(user);
            }
            else
            {
                await signOuts.SignOutAsync(user);
            }

            await control.PublishSignOutAsync(user);
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            return Problems.Unavailable();
        }

        return TypedResults.NoContent();
    }

    private static GuestTokenResponse Respond(GuestTokenIssuer issuer, ChatUser user, string refreshToken)
    {
        var token = issuer.Issue(user);
        return new GuestTokenResponse(token.AccessToken, "Bearer", token.ExpiresInSeconds, user.Name, refreshToken);
    }

    private static async Task<(T? Value, ProblemHttpResult? Error)> ReadBodyAsync<T>(HttpContext http, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return (await http.Request.ReadFromJsonAsync(type, http.RequestAborted), null);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return (default, Invalid("body", "The body must be a JSON object sent as application/json."));
        }
    }

    private static ProblemHttpResult Invalid(string field, string? detail) =>
        Problems.Invalid(field, detail, field == "body" ? "Invalid request body" : "Invalid " + field);
}

public sealed record GuestTokenRequest(string? Username);

public sealed record RefreshRequest(string? RefreshToken);

/// <summary>
/// An access token (<see cref="ExpiresIn"/> seconds) and the session's refresh token, which stays
/// the same for the session's life.
/// </summary>
public sealed record GuestTokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Username, string RefreshToken);
