using System.Text;
using Xunit.Sdk;

namespace Chat.Tests.Infrastructure.NoLoss;

/// <summary>
/// The outcome of a no-loss run: counters for the test to assert on, the violations found
/// (failures seen during the run, then the checker's verdict), and the seed to replay it with.
/// </summary>
public sealed class NoLossReport
{
    private const int ViolationsShown = 40;

    internal NoLossReport(NoLossOptions options, NoLossJournal journal, IReadOnlyList<string> violations, IReadOnlyList<string> rooms, NoLossTimings timings)
    {
        Options = options;
        Sent = journal.Sent;
        Resent = journal.Resent;
        Acked = journal.Acked;
        Delivered = journal.Delivered;
        MemberReconnects = journal.MemberReconnects;
        SenderReconnects = journal.SenderReconnects;
        RecoveredFalse = journal.RecoveredFalse;
        Unavailable = journal.Unavailable;
        Violations = violations;
        Rooms = rooms;
        Timings = timings;
    }

    public NoLossOptions Options { get; }

    public int Seed => Options.Seed;

    public IReadOnlyList<string> Rooms { get; }

    /// <summary>Distinct messages the senders created and sent at least once.</summary>
    public long Sent { get; }

    /// <summary>Sends of a message already sent once, with its client_id, after a drop or 'unavailable'.</summary>
    public long Resent { get; }

    public long Acked { get; }

    /// <summary>Message ids the checked members recorded, duplicates included.</summary>
    public long Delivered { get; }

    public long MemberReconnects { get; }

    public long SenderReconnects { get; }

    public long RecoveredFalse { get; }

    public long Unavailable { get; }

    public IReadOnlyList<string> Violations { get; }

    public NoLossTimings Timings { get; }

    public bool IsClean => Violations.Count == 0;

    /// <summary>Fails the test with every violation (the first ones, when there are many) and the seed.</summary>
    public void AssertClean()
    {
        if (!IsClean)
        {
            throw new XunitException(ToString());
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder()
            .Append($"No-loss run, seed {Seed} (replay its random choices with NOLOSS_SEED={Seed}): ")
            .Append($"{Rooms.Count} rooms ({string.Join(", ", Rooms)}), {Options.MembersPerRoom} members and {Options.SendersPerRoom} senders each, ")
            .Append($"{Timings.Total.TotalSeconds:0.0} s (joining {Timings.Joining.TotalSeconds:0.0} s, settling {Timings.Settling.TotalSeconds:0.0} s). Sent {Sent}, resent {Resent}, acked {Acked}, delivered {Delivered}, ")
            .Append($"member reconnects {MemberReconnects}, sender reconnects {SenderReconnects}, recovered:false {RecoveredFalse}, unavailable {Unavailable}.")
            .AppendLine();
        if (IsClean)
        {
            return text.Append("No violations.").ToString();
        }

        text.AppendLine($"{Violations.Count} violations:");
        for (var i = 0; i < Violations.Count && i < ViolationsShown; i++)
        {
            text.Append("- ").AppendLine(Violations[i]);
        }

        if (Violations.Count > ViolationsShown)
        {
            text.AppendLine($"... and {Violations.Count - ViolationsShown} more.");
        }

        return text.ToString();
    }
}

/// <summary>How long the run took, and its phases that are not fixed by the options.</summary>
/// <param name="Joining">Until every member had its first history.</param>
/// <param name="Settling">From the end of sending until the fault finished, the last ack came and every member caught up.</param>
/// <param name="Total">The whole run, the verdict included.</param>
public sealed record NoLossTimings(TimeSpan Joining, TimeSpan Settling, TimeSpan Total);
