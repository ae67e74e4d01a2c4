using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>The kernel's lock events (kernel/locking/lock_events_list.h) plus QSpin's own.</summary>
internal enum LockEvent
{
    Fastpath,
    LockPending,
    LockSlowpath,
    LockUseNode2,
    LockUseNode3,
    LockUseNode4,
    LockNoNode,
    PvHashHops,
    PvKickUnlock,
    PvKickWake,
    PvLatencyKick,
    PvLatencyWake,
    PvLockStealing,
    PvSpuriousWakeup,
    PvWaitAgain,
    PvWaitEarly,
    PvWaitHead,
    PvWaitNode,
    TasSpin,
}

/// <summary>How an event is reported: a count, or an average over another event's count.</summary>
internal readonly record struct LockEventInfo(LockEvent Event, string KernelName, string DotNetName, string Description, LockEvent? AverageOver, string? Unit);

/// <summary>
/// The counters behind <see cref="QSpinStats"/>. Off by default and free when off: every increment is
/// behind <see cref="Enabled"/>, a static readonly field the Tier-1 JIT folds, so with stats off the lock's
/// code is what it would be without this file. When on, each thread counts into its own padded array
/// (plain increments, no shared cache lines) and readers sum all arrays.
/// </summary>
internal static class LockEvents
{
    /// <summary>
    /// Whether lock events are counted: <c>QSPIN_STATS</c>, else the AppContext switch <c>QSpin.Stats</c>.
    /// A feature switch: a NativeAOT (or trimmed) publish that sets <c>QSpin.Stats</c> with
    /// <c>Trim="true"</c> compiles this to a constant (docs/design.md, "Call patching").
    /// </summary>
    [FeatureSwitchDefinition(FeatureSwitches.Stats)]
    public static bool Enabled { get; } = FeatureSwitches.Read("QSPIN_STATS", FeatureSwitches.Stats);

    public static readonly LockEventInfo[] All =
    [
        new(LockEvent.Fastpath, "fastpath", "fastpath", "acquisitions by the uncontended one-CAS fast path (Enter, TryEnter, and the first try of timed and cancellable entry)", null, null),
        new(LockEvent.LockPending, "lock_pending", "pending", "acquisitions by the pending bit, outside the queue (native)", null, null),
        new(LockEvent.LockSlowpath, "lock_slowpath", "slowpath", "acquisitions through the MCS queue", null, null),
        new(LockEvent.LockUseNode2, "lock_use_node2", "use_node2", "queueings that used a thread's 2nd node (nesting)", null, null),
        new(LockEvent.LockUseNode3, "lock_use_node3", "use_node3", "queueings that used a thread's 3rd node", null, null),
        new(LockEvent.LockUseNode4, "lock_use_node4", "use_node4", "queueings that used a thread's 4th node", null, null),
        new(LockEvent.LockNoNode, "lock_no_node", "no_node", "acquisitions without a node (no free slot): trylock spinning", null, null),
        new(LockEvent.PvHashHops, "pv_hash_hops", "pv.hash_hops", "hash-table probes of head registrations per unlock kick, as the kernel reports them: one per registration for QSpinLock (its own field), so 1; more for QSpinLockArray after collisions in its table", LockEvent.PvKickUnlock, null),
        new(LockEvent.PvKickUnlock, "pv_kick_unlock", "pv.kick_unlock", "kicks issued at unlock time", null, null),
        new(LockEvent.PvKickWake, "pv_kick_wake", "pv.kick_wake", "wake-ups that followed a kick", null, null),
        new(LockEvent.PvLatencyKick, "pv_latency_kick", "pv.latency_kick", "average time to issue a kick", LockEvent.PvKickUnlock, "ns"),
        new(LockEvent.PvLatencyWake, "pv_latency_wake", "pv.latency_wake", "average time from kick to the parked thread running", LockEvent.PvKickWake, "ns"),
        new(LockEvent.PvLockStealing, "pv_lock_stealing", "pv.lock_stealing", "acquisitions by the paravirt steal before queueing: locked and pending clear, with or without a queue (past a parked queue head)", null, null),
        new(LockEvent.PvSpuriousWakeup, "pv_spurious_wakeup", "pv.spurious_wakeup", "wake-ups of a waiter behind the head without the baton", null, null),
        new(LockEvent.PvWaitAgain, "pv_wait_again", "pv.wait_again", "parks after a previous park in the same wait", null, null),
        new(LockEvent.PvWaitEarly, "pv_wait_early", "pv.wait_early", "waiters that parked early because their predecessor was not running", null, null),
        new(LockEvent.PvWaitHead, "pv_wait_head", "pv.wait_head", "parks of the queue head", null, null),
        new(LockEvent.PvWaitNode, "pv_wait_node", "pv.wait_node", "parks of a waiter behind the head", null, null),
        new(LockEvent.TasSpin, "tas_spin", "tas.spin", "back-off rounds of the test-and-set lock", null, null),
    ];

    private const int Count = (int)LockEvent.TasSpin + 1; // every event, the last one included
    private const int Pad = 16; // 128 bytes of longs before and after a thread's counters

    [ThreadStatic] private static long[]? t_counts;

    private static readonly List<(Thread Owner, long[] Counts)> s_threads = [];
    private static readonly long[] s_retired = new long[Count];
    private static readonly long[] s_baseline = new long[Count];
    private static readonly Lock s_registry = new();

    // Runs with the other initialisers, at the first lock use, so listeners see the meter early.
    private static readonly System.Diagnostics.Metrics.Meter? s_meter = Enabled ? QSpinStats.CreateMeter() : null;


    /// <summary>Counts one occurrence of <paramref name="e"/>; nothing at all when stats are off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Inc(LockEvent e)
    {
        if (Enabled) Add(e, 1);
    }

    /// <summary>Counts one occurrence when <paramref name="condition"/> holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void IncIf(LockEvent e, bool condition)
    {
        if (Enabled && condition) Add(e, 1);
    }

    /// <summary>Adds <paramref name="value"/> to <paramref name="e"/> (for sums behind averages).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(LockEvent e, long value)
    {
        if (!Enabled) return;
        long[] counts = t_counts ?? Register();
        counts[Pad + (int)e] += value; // this thread's own line: a plain add; readers tolerate a stale value
    }

    /// <summary>Allocates the calling thread's counters now if stats are on, so that counting later cannot throw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Prepare()
    {
        if (Enabled && t_counts is null) Register();
    }

    /// <summary>A timestamp for latency events; 0 when stats are off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Now() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Nanoseconds since <paramref name="start"/> (a <see cref="Now"/> value).</summary>
    public static long NanosecondsSince(long start) =>
        (long)((Stopwatch.GetTimestamp() - start) * (1_000_000_000.0 / Stopwatch.Frequency));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long[] Register()
    {
        var counts = new long[Pad + Count + Pad];
        lock (s_registry)
        {
            // Fold the counts of exited threads into the retired totals now and then, so the
            // registry follows the live threads.
            if ((s_threads.Count & 255) == 255) RetireDeadThreads();
            s_threads.Add((Thread.CurrentThread, counts));
        }
        t_counts = counts;
        return counts;
    }

    // Called under s_registry.
    private static void RetireDeadThreads()
    {
        for (int i = s_threads.Count - 1; i >= 0; i--)
        {
            (Thread owner, long[] counts) = s_threads[i];
            if (owner.IsAlive) continue;
            for (int e = 0; e < Count; e++) s_retired[e] += Volatile.Read(ref counts[Pad + e]);
            s_threads.RemoveAt(i);
        }
    }

    /// <summary>
    /// Totals, one per <see cref="LockEvent"/>: since the last <see cref="Reset"/>, or since the process
    /// started (<paramref name="sinceReset"/> false: monotonic, for the meter's counters).
    /// </summary>
    public static long[] Totals(bool sinceReset = true)
    {
        var sum = new long[Count];
        lock (s_registry)
        {
            for (int e = 0; e < Count; e++) sum[e] = s_retired[e] - (sinceReset ? s_baseline[e] : 0);
            foreach ((_, long[] counts) in s_threads)
                for (int e = 0; e < Count; e++)
                    sum[e] += Volatile.Read(ref counts[Pad + e]); // 64-bit reads are atomic on 64-bit runtimes
        }
        return sum;
    }

    /// <summary>Makes the current totals the new zero (other threads' counters are never written by readers).</summary>
    public static void Reset()
    {
        long[] now = Totals();
        lock (s_registry)
        {
            for (int e = 0; e < Count; e++) s_baseline[e] += now[e];
        }
    }
}
