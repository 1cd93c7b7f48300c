using Chat.Api.Protocol;
using StackExchange.Redis;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// The verdict for one room, after Jepsen's total-queue checker: the room's stream is the
/// queue's history, acks are the confirmed enqueues, and each member must have dequeued exactly
/// that history, once each, in order. Violations are added as sentences that say where the
/// first divergence is, so a failure can be read without rerunning.
/// </summary>
internal static class NoLossChecker
{
    public static void CheckRoom(
        string room,
        StreamEntry[] stream,
        IEnumerable<KeyValuePair<string, AckedMessage>> acked,
        IEnumerable<MemberRecord> members,
        bool recoveredFalseExpected,
        List<string> violations)
    {
        var indexById = new Dictionary<string, int>(stream.Length);
        var idByClientId = new Dictionary<string, string>(stream.Length);
        for (var i = 0; i < stream.Length; i++)
        {
            var id = (string)stream[i].Id!;
            indexById[id] = i;
            var clientId = (string?)stream[i]["k"];
            if (string.IsNullOrEmpty(clientId))
            {
                continue;
            }

            if (!idByClientId.TryAdd(clientId, id))
            {
                violations.Add($"room {room}: client_id {clientId} is stored twice, as {idByClientId[clientId]} and {id}");
            }
        }

        CheckAcked(room, acked, stream, indexById, violations);
        foreach (var member in members)
        {
            CheckMember(room, member, stream, indexById, recoveredFalseExpected, violations);
        }
    }

    /// <summary>Every acked message is in the stream, under its id, with the client_id and content sent.</summary>
    private static void CheckAcked(
        string room, IEnumerable<KeyValuePair<string, AckedMessage>> ackedByClientId, StreamEntry[] stream, Dictionary<string, int> indexById, List<string> violations)
    {
        foreach (var (clientId, acked) in ackedByClientId)
        {
            if (!indexById.TryGetValue(acked.Id, out var index))
            {
                violations.Add($"room {room}: client_id {clientId} was acked as {acked.Id}, which the stream does not hold");
                continue;
            }

            var entry = stream[index];
            if ((string?)entry["k"] != clientId || (string?)entry["c"] != acked.Content)
            {
                violations.Add($"room {room}: stream entry {acked.Id} holds client_id '{entry["k"]}' and content '{entry["c"]}', " +
                    $"but it acked client_id '{clientId}' with content '{acked.Content}'");
            }
        }
    }

    /// <summary>
    /// The member's received ids equal the stream from just after its first join's history to
    /// the end. Where a <c>recovered:false</c> was expected, that frame may jump ahead (a gap the
    /// server owned up to) and may repeat ids the member had already seen.
    /// </summary>
    private static void CheckMember(
        string room, MemberRecord member, StreamEntry[] stream, Dictionary<string, int> indexById, bool recoveredFalseExpected, List<string> violations)
    {
        var received = member.Received;
        var next = FirstAfter(stream, member.HistoryLastId);
        var lastMatched = member.HistoryLastId is null ? MessageId.None : MessageId.Parse(member.HistoryLastId);
        var gap = 0;
        for (var i = 0; i < received.Count; i++)
        {
            var id = received[i];
            if (recoveredFalseExpected && InNotRecoveredFrame(member, i, ref gap))
            {
                if (MessageId.Parse(id) <= lastMatched)
                {
                    continue;
                }

                if (indexById.TryGetValue(id, out var jumpTo) && jumpTo >= next)
                {
                    next = jumpTo;
                }
            }

            if (next >= stream.Length || (string)stream[next].Id! != id)
            {
                violations.Add(Divergence(room, member, i, next < stream.Length ? (string)stream[next].Id! : "the end of the stream", id, stream.Length));
                return;
            }

            lastMatched = MessageId.Parse(id);
            next++;
        }

        if (next < stream.Length)
        {
            violations.Add(Divergence(room, member, received.Count, (string)stream[next].Id!, "nothing more", stream.Length));
        }
    }

    private static string Divergence(string room, MemberRecord member, int index, string expected, string got, int streamLength)
    {
        var received = member.Received;
        var duplicates = received.Count - new HashSet<string>(received).Count;
        return $"room {room}, member {member.Name}: first divergence at index {index}: expected {expected}, got {got} " +
            $"(received {received.Count} ids, {duplicates} of them duplicates; history ended at {member.HistoryLastId ?? "an empty history"}; " +
            $"stream holds {streamLength}; {member.NotRecovered.Count} recovered:false; last seen {member.LastSeen})";
    }

    /// <summary>Whether index <paramref name="i"/> lies in a recovered:false frame; <paramref name="gap"/> walks the frames in order.</summary>
    private static bool InNotRecoveredFrame(MemberRecord member, int i, ref int gap)
    {
        var frames = member.NotRecovered;
        while (gap < frames.Count && i >= frames[gap].Start + frames[gap].Count)
        {
            gap++;
        }

        return gap < frames.Count && i >= frames[gap].Start;
    }

    private static int FirstAfter(StreamEntry[] stream, string? historyLastId)
    {
        if (historyLastId is null)
        {
            return 0;
        }

        var after = MessageId.Parse(historyLastId);
        var index = 0;
        while (index < stream.Length && MessageId.Parse((string)stream[index].Id!) <= after)
        {
            index++;
        }

        return index;
    }
}

/// <summary>What one member recorded, as the checker reads it.</summary>
/// <param name="Name">The member's name, for messages.</param>
/// <param name="HistoryLastId">The last id of its first join's history; null when that was empty.</param>
/// <param name="Received">Every id received after that history, in arrival order, duplicates kept.</param>
/// <param name="NotRecovered">Where in <paramref name="Received"/> each recovered:false frame's messages start, and how many.</param>
/// <param name="LastSeen">The highest id it saw, for messages.</param>
internal sealed record MemberRecord(
    string Name,
    string? HistoryLastId,
    IReadOnlyList<string> Received,
    IReadOnlyList<(int Start, int Count)> NotRecovered,
    string LastSeen);
