using Chat.Api.Extensions;
using Chat.Api.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Apis;

/// <summary><c>POST /api/auth/guest</c>: a signed token for a chosen name.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Auth");

        api.MapPost("/guest", IssueGuestTokenAsync)
            .Accepts<GuestTokenRequest>("application/json")
            .WithName("IssueGuestToken")
            .WithSummary("Issues a guest token for a username.")
            .AllowAnonymous();

        return app;
    }

    public static async Task<Results<Ok<GuestTokenResponse>, ProblemHttpResult>> IssueGuestTokenAsync(
        HttpRequest http,
        GuestTokenIssuer issuer)
    {
        // Read by hand rather than bound: a body that is not JSON gets ProblemDetails naming the
        // field, like every other bad input, instead of a binding failure logged with its stack.
        GuestTokenRequest? request;
        try
        {
            request = await http.ReadFromJsonAsync(ChatJsonContext.Default.GuestTokenRequest, http.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return BadRequest("body", "The body must be a JSON object such as {\"username\":\"alice\"} sent as application/json.");
        }

        if (!ChatUser.TryCreate(request?.Username, out var user, out var error))
        {
            return BadRequest("username", error);
        }

        var token = issuer.Issue(user.Value);
        return TypedResults.Ok(new GuestTokenResponse(token.AccessToken, "Bearer", token.ExpiresInSeconds, user.Value.Name));
    }

    private static ProblemHttpResult BadRequest(string field, string? detail) =>
        TypedResults.Problem(
            title: field == "body" ? "Invalid request body" : "Invalid username",
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["field"] = field });
}

public sealed record GuestTokenRequest(string? Username);

public sealed record GuestTokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Username);
