using System.Text;

namespace QSpin;

/// <summary>Human-readable dumps of a lock and of the waiters' queue nodes, for watchdogs and bug reports.</summary>
internal static class QSpinDiagnostics
{
    private static string StateName(int s) => s switch
    {
        PvState.Running => "running",
        PvState.Halted => "halted",
        PvState.Hashed => "hashed",
        PvState.Hashing => "hashing",
        _ => $"?{s}",
    };

    private static string TailName(int tail) =>
        tail == 0 ? "none" : $"slot {LockWord.TailSlot(tail)}/node {LockWord.TailIndex(tail)}";

    /// <summary>The lock word, the registered parked head, and every thread slot with nodes in use.</summary>
    public static string Dump(QSpinLock lck)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"lock word: {LockWord.Describe(Atomic.LoadRelaxed(ref lck.Word))}");
        sb.AppendLine($"parked head registered (paravirt): {TailName(Atomic.LoadRelaxed(ref lck.PvHead))}");
        sb.AppendLine("thread slots with nodes in use (any lock):");
        int shown = 0;
        foreach (SlotSnapshot s in ThreadSlots.Snapshot())
        {
            if (s.Depth == 0 && Array.TrueForAll(s.Nodes, n => n.Locked != Baton.Abandoned)) continue;
            sb.Append($"  slot {s.Slot} {s.Owner}: depth {s.Depth}, park word {s.ParkWord}");
            foreach (NodeSnapshot n in s.Nodes)
            {
                if (n.Locked == Baton.Waiting && n.State == PvState.Running && n.NextTail == 0) continue;
                sb.Append($"; node {n.Index}: baton {n.Locked}, {StateName(n.State)}, next {TailName(n.NextTail)}");
            }
            sb.AppendLine();
            shown++;
        }
        if (shown == 0) sb.AppendLine("  (none)");
        return sb.ToString();
    }
}
