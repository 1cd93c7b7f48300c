using System.Globalization;
using Chat.Api.Diagnostics;
using Chat.Api.Identity;
using Chat.Api.Options;
using Chat.Api.Rooms;
using Chat.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Api.Apis;

/// <summary>
/// <c>GET /api/rooms?limit=&amp;cursor=</c>: the rooms directory, newest activity first, as the
/// caller may see it (public rooms and the private rooms they belong to). See
/// <see cref="RoomDirectory"/> for paging and <see cref="DirectoryTrim"/> for expiry.
/// </summary>
public static class RoomDirectoryApi
{
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 50;

    public static IEndpointRouteBuilder MapRoomDirectoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/rooms").WithTags("Rooms").RequireAuthorization()
            .MapGet("/", ListRoomsAsync)
            .WithName("ListRooms")
            .WithSummary("Lists rooms by last activity, newest first: public rooms and the caller's private rooms. 'cursor' is the previous page's next_cursor.");

        return app;
    }

    public static async Task<Results<Ok<DirectoryPage>, ProblemHttpResult>> ListRoomsAsync(
        HttpContext http,
        [FromQuery] string? limit,
        [FromQuery] string? cursor,
        RoomDirectory directory,
        DirectoryTrim trim,
        IOptions<ChatOptions> options,
        ILogger<RoomDirectory> logger)
    {
        // Parsed by hand, like the history's limit: "abc" gets the same ProblemDetails as "0".
        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize)
            || pageSize is < 1 or > MaxPageSize))
        {
            return Problems.Invalid("limit", $"limit must be between 1 and {MaxPageSize}.");
        }

        DirectoryCursor? after = null;
        if (cursor is not null)
        {
            if (!DirectoryCursor.TryDecode(cursor, out var parsed))
            {
                return Problems.Invalid("cursor", "cursor must be a next_cursor this API returned.");
            }

            after = parsed;
        }

        if (ChatUser.FromPrincipal(http.User) is not { } user)
        {
            return TypedResults.Problem(title: "Invalid token", statusCode: StatusCodes.Status401Unauthorized);
        }

        // Bounded like a send: a frozen Redis must not hold the request for the client library's whole timeout.
        var timeout = options.Value.StoreTimeout;
        try
        {
            if (after is null)
            {
                await TrimAsync(trim, logger).WaitAsync(timeout);
            }

            return TypedResults.Ok(await directory.ReadPageAsync(user, after, pageSize).WaitAsync(timeout));
        }
        catch (Exception ex) when (RedisFaults.IsUnavailable(ex))
        {
            return Problems.Unavailable();
        }
    }

    /// <summary>Expiry rides on the first page; an error reply from it must not cost the caller the listing.</summary>
    private static async Task TrimAsync(DirectoryTrim trim, ILogger logger)
    {
        try
        {
            await trim.RunAsync();
        }
        catch (RedisServerException ex) when (!RedisFaults.IsUnavailable(ex))
        {
            Log.DirectoryTrimFailed(logger, ex);
        }
    }
}
