using System.Text.Json;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// The first frame of a join, as the clients read it: a <c>messages</c> frame with the epoch to
/// resume with, the protocol version and, on a resume, whether the gap was filled. Epoch and
/// protocol are absent on servers that predate them; that is not an error.
/// </summary>
internal readonly record struct JoinFrame(bool IsMessages, string? Epoch, string? Problem, bool? Recovered)
{
    public static JoinFrame Read(JsonElement frame)
    {
        if (!frame.TryGetProperty("type", out var type) || type.GetString() != "messages")
        {
            return new JoinFrame(false, null, $"the first frame was '{(frame.TryGetProperty("type", out var t) ? t.GetString() : null)}', not 'messages'", null);
        }

        string? problem = null;
        if (frame.TryGetProperty("protocol", out var protocol) && !(protocol.ValueKind == JsonValueKind.Number && protocol.GetInt32() == 1))
        {
            problem = $"the join spoke protocol {protocol.GetRawText()}, not 1";
        }

        string? epoch = null;
        if (frame.TryGetProperty("epoch", out var epochElement))
        {
            epoch = epochElement.ValueKind == JsonValueKind.String ? epochElement.GetString() : null;
            if (!IsValidEpoch(epoch))
            {
                problem = $"the join's epoch {epochElement.GetRawText()} is not 1-32 of A-Z a-z 0-9 _ -";
                epoch = null;
            }
        }

        bool? recovered = frame.TryGetProperty("recovered", out var r) ? r.ValueKind == JsonValueKind.True : null;
        return new JoinFrame(true, epoch, problem, recovered);
    }

    private static bool IsValidEpoch(string? epoch)
    {
        if (epoch is null || epoch.Length is 0 or > 32)
        {
            return false;
        }

        foreach (var c in epoch)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
