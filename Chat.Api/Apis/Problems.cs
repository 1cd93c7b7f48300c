using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Api.Apis;

/// <summary>The ProblemDetails every route answers with for the same causes, built in one place.</summary>
internal static class Problems
{
    /// <summary>400 naming the <paramref name="field"/> at fault (the body itself is <c>body</c>).</summary>
    public static ProblemHttpResult Invalid(string field, string? detail, string title = "Invalid request") =>
        TypedResults.Problem(
            title: title,
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["field"] = field });

    /// <summary>409: <paramref name="field"/>'s value is taken.</summary>
    public static ProblemHttpResult Taken(string field, string title, string detail) =>
        TypedResults.Problem(
            title: title,
            detail: detail,
            statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["field"] = field });

    /// <summary>503: Redis did not answer in time.</summary>
    public static ProblemHttpResult Unavailable() =>
        TypedResults.Problem(title: "Chat storage unavailable", detail: "Redis did not answer; retry shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
}
