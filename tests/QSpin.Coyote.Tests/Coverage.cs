using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.Runtime;

namespace QSpin.Coyote.Tests;

/// <summary>Named counters of what one engine run reached; reset before each run.</summary>
internal static class Stats
{
    private static readonly Dictionary<string, long> s_counts = [];

    public static void Reset() => s_counts.Clear();

    public static void Count(string what) => s_counts[what] = s_counts.GetValueOrDefault(what) + 1;

    public static Dictionary<string, long> Snapshot() => new(s_counts);
}

/// <summary>
/// Evidence that the scenarios reach each path of the lock, gathered without touching the library:
/// the lock word is sampled (a plain read, not a scheduling point) before every atomic step of any
/// thread, and each acquisition is classified by the scheduling points it went through.
/// </summary>
/// <remarks>
/// Every write to the lock word is an atomic step preceded by <see cref="TestHooks.Interleave"/>, so
/// any word state that exists when some thread is next scheduled is sampled before it changes.
/// </remarks>
internal static unsafe class Coverage
{
    /// <summary>The locks of the running iteration (iterations run one at a time).</summary>
    public static LockUnderTest[]? Locks;

    // The lock the calling thread is acquiring.
    [ThreadStatic] private static LockUnderTest? t_lock;

    // Which thread slots have been seen in the tail since their thread began its current acquisition.
    private static readonly bool[] s_tailSeen = new bool[LockWord.MaxSlots];

    [ThreadStatic] private static int t_points;

    // Whether the calling thread paused while nobody was queued, since its current acquisition began.
    [ThreadStatic] private static bool t_spunUnqueued;

    /// <summary>Installed as <see cref="TestHooks.OnAtomic"/>: sample, then let Coyote schedule.</summary>
    public static void OnAtomic()
    {
        t_points++;
        Sample();
        if (Story.Enabled) Story.Step();
        Preemption.BeforeAtomic();
        SchedulingPoint.Interleave();
    }

    /// <summary>Installed as <see cref="TestHooks.OnSpin"/>: note a pause with an empty queue, then yield.</summary>
    public static void OnSpin()
    {
        LockUnderTest? l = t_lock;
        if (l is not null && (l.Word & LockWord.TailMask) == 0) t_spunUnqueued = true; // plain read, as in Sample
        SchedulingPoint.Yield();
    }

    private static void Sample()
    {
        LockUnderTest[]? locks = Locks;
        if (locks is null) return;
        foreach (LockUnderTest l in locks) Sample(l);
    }

    private static void Sample(LockUnderTest l)
    {
        int w = l.Word; // plain read: no scheduling point, and only one controlled thread runs at a time
        int locked = w & LockWord.LockedMask;
        bool pending = (w & LockWord.Pending) != 0; // native: the pending byte is 0 or 1; paravirt: the head spins or keeps Pending
        bool parked = (w & (LockWord.ParkedBit << LockWord.PendingOffset)) != 0;
        int tail = w & LockWord.TailMask;
        if (tail != 0) s_tailSeen[LockWord.TailSlot(tail)] = true;

        if (tail == 0 && pending && locked != 0) Stats.Count(Seen.PendingBehindOwner);
        if (tail == 0 && pending && locked == 0) Stats.Count(Seen.PendingHandover);
        if (tail != 0) Stats.Count(Seen.Queue);
        if (tail != 0 && pending) Stats.Count(Seen.QueueAndPending);
        if (tail != 0 && locked == 0 && !pending) Stats.Count(Seen.QueueLockFree);
        // The lock is free and a parked waiter is recorded: with a steal window of 0 whoever takes it next must be that waiter.
        if (parked && locked == 0 && GuardStarvingHeads && l.RecordedHead != 0) l.StarvingHeadSlot = LockWord.TailSlot(l.RecordedHead);
        if (parked) Stats.Count(Seen.Parked);
        if (parked && pending) Stats.Count(Seen.ParkedAndPending);
        if (l.RecordedHead != 0 && locked == 0) Stats.Count(Seen.HeadRegistering);
    }

    /// <summary>With <see cref="Scenario.HeadsStarve"/>: check that nobody takes a lock before the parked waiter a sample saw recorded for it.</summary>
    public static bool GuardStarvingHeads;

    /// <summary>The thread of <paramref name="slot"/> holds <paramref name="l"/>, however it got it.</summary>
    public static void Acquired(int slot, LockUnderTest l)
    {
        if (!GuardStarvingHeads) return;
        int starving = l.StarvingHeadSlot;
        Specification.Assert(starving < 0 || starving == slot,
            $"fairness bound broken: slot {slot} took {l.Name} while slot {starving}, queued past the steal window, was parked as its head: {l.Describe()}");
        l.StarvingHeadSlot = -1;
        if (Story.Enabled) Story.Line("acquired (fairness guard checked)");
    }

    /// <summary>Before an acquisition of <paramref name="lck"/> by the thread owning <paramref name="slot"/>.</summary>
    public static void BeginAcquire(int slot, LockUnderTest lck)
    {
        t_lock = lck;
        t_points = 0;
        t_spunUnqueued = false;
        s_tailSeen[slot] = false;
    }

    /// <summary>After <see cref="LockUnderTest.EnterAs(QSpinMode)"/> returned: which way did it go?</summary>
    public static void EndAcquire(QSpinMode mode, int slot, LockUnderTest l)
    {
        if (t_points <= 1)
        {
            Stats.Count(Seen.Fast);
            return;
        }
        if (s_tailSeen[slot])
        {
            Stats.Count(Seen.Queued);
            return;
        }
        switch (mode)
        {
            case QSpinMode.Native:
                Stats.Count(Seen.SlowUnqueued);
                break;
            case QSpinMode.Paravirt:
                Stats.Count(Seen.Steal);
                if ((l.Word & LockWord.TailMask) != 0) Stats.Count(Seen.StealPastQueue);
                if (t_spunUnqueued) Stats.Count(Seen.StealAfterSpinUnqueued);
                break;
            default:
                Stats.Count(Seen.TasSpin);
                break;
        }
    }

    /// <summary>Where the calling thread parks, from its current node's pv state.</summary>
    public static string CallerParkSite()
    {
        ThreadNodes? tn = ThreadSlots.Current();
        if (tn is null || tn.Depth == 0) return "no node";
        QNode* n = ThreadSlots.NodeOf(tn.Slot, tn.Depth - 1);
        return n->State switch
        {
            PvState.Halted => Seen.SiteNode,
            PvState.Hashed => Seen.SiteHead,
            int s => "node state " + s,
        };
    }
}
