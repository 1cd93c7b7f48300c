using Chat.Api.Options;

namespace Chat.Api.Connections;

/// <summary>How many stored messages one read of a resume or a gap fill takes.</summary>
public static class ResumePaging
{
    /// <summary>A stored message's largest size: content at 4 bytes a scalar value, plus fields.</summary>
    public static int LargestStoredMessageBytes(ChatOptions options) => options.MaxContentLength * 4 + 1024;

    /// <summary>
    /// At most <c>Chat:ResumeBatchSize</c>, and no more than fit <c>Chat:OutgoingQueueBytes</c> at
    /// the largest stored size (61 with the defaults): a page's memory stays near the bound a
    /// connection may queue anyway, however large the messages.
    /// </summary>
    public static int PageSize(ChatOptions options) =>
        (int)Math.Clamp(options.OutgoingQueueBytes / LargestStoredMessageBytes(options), 1, options.ResumeBatchSize);
}
