using Microsoft.Extensions.Options;

namespace Chat.Api.Options;

/// <summary>Checks the relations between <see cref="ChatOptions"/> values that ranges cannot express.</summary>
internal sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    /// <summary>Bytes a message frame needs besides its content: type, client_id (64 chars) and JSON punctuation.</summary>
    internal const int FrameOverheadBytes = 256;

    public ValidateOptionsResult Validate(string? name, ChatOptions options)
    {
        var failures = new List<string>();

        // A scalar value takes at most 4 bytes in UTF-8, so this is the largest valid frame
        // written as plain JSON; a limit below it would reject valid messages.
        var largestValidFrame = (long)options.MaxContentLength * 4 + FrameOverheadBytes;
        if (options.MaxMessageBytes < largestValidFrame)
        {
            failures.Add($"Chat:MaxMessageBytes ({options.MaxMessageBytes}) must be at least {largestValidFrame} " +
                $"so that any valid message of Chat:MaxContentLength ({options.MaxContentLength}) characters fits.");
        }

        // The largest live frame: every scalar value escaped as a surrogate pair (\uXXXX\uXXXX).
        var largestLiveFrame = (long)options.MaxContentLength * 12 + 1024;
        if (options.OutgoingQueueBytes < 4 * largestLiveFrame)
        {
            failures.Add($"Chat:OutgoingQueueBytes ({options.OutgoingQueueBytes}) must be at least {4 * largestLiveFrame} " +
                $"(four of the largest message frames that Chat:MaxContentLength ({options.MaxContentLength}) allows).");
        }

        if (options.KeepAliveInterval < TimeSpan.FromSeconds(1) || options.KeepAliveTimeout < TimeSpan.FromSeconds(1)
            || options.KeepAliveInterval > TimeSpan.FromMinutes(10) || options.KeepAliveTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add("Chat:KeepAliveInterval and Chat:KeepAliveTimeout must be between 00:00:01 and 00:10:00.");
        }

        if (options.ResyncDelay <= TimeSpan.Zero || options.ResyncDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add("Chat:ResyncDelay must be between 00:00:00 (exclusive) and 00:01:00.");
        }

        if (options.IdempotencyWindow < TimeSpan.FromMinutes(1))
        {
            failures.Add("Chat:IdempotencyWindow must be at least 00:01:00.");
        }

        if (options.StoreTimeout <= TimeSpan.Zero || options.StoreTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add("Chat:StoreTimeout must be between 00:00:00 (exclusive) and 00:01:00.");
        }

        if (options.CloseTimeout <= TimeSpan.Zero || options.CloseTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add("Chat:CloseTimeout must be between 00:00:00 (exclusive) and 00:01:00.");
        }

        if (options.DirectoryIdleTime < TimeSpan.FromMinutes(1) || options.DirectoryIdleTime > TimeSpan.FromDays(365))
        {
            failures.Add("Chat:DirectoryIdleTime must be between 00:01:00 and 365.00:00:00.");
        }

        if (options.DirectoryWriteInterval < TimeSpan.Zero || options.DirectoryWriteInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add("Chat:DirectoryWriteInterval must be between 00:00:00 and 00:01:00.");
        }

        if (options.HistoryLength > options.RetentionPerRoom)
        {
            failures.Add($"Chat:HistoryLength ({options.HistoryLength}) cannot exceed Chat:RetentionPerRoom ({options.RetentionPerRoom}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
