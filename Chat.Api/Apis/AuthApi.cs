using Chat.Api.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Apis;

/// <summary><c>POST /api/auth/guest</c>: a signed token for a chosen name.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Auth");

        api.MapPost("/guest", IssueGuestToken)
            .WithName("IssueGuestToken")
            .WithSummary("Issues a guest token for a username.")
            .AllowAnonymous();

        return app;
    }

    public static Results<Ok<GuestTokenResponse>, ProblemHttpResult> IssueGuestToken(
        GuestTokenRequest? request,
        GuestTokenIssuer issuer)
    {
        if (!ChatUser.TryCreate(request?.Username, out var user, out var error))
        {
            return TypedResults.Problem(
                title: "Invalid username",
                detail: error,
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["field"] = "username" });
        }

        var token = issuer.Issue(user.Value);
        return TypedResults.Ok(new GuestTokenResponse(token.AccessToken, "Bearer", token.ExpiresInSeconds, user.Value.Name));
    }
}

public sealed record GuestTokenRequest(string? Username);

public sealed record GuestTokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Username);
