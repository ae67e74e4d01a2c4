using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// Checked mode: ownership tracking, misuse detection and deadlock detection, for development and
/// tests. Off by default and folded away when off (a static readonly switch read once:
/// <c>QSPIN_CHECKED=1</c> or the AppContext switch <c>QSpin.Checked</c>). When on, every acquisition
/// and release goes through a process-wide table under a lock: slower, and meant to be.
/// </summary>
/// <remarks>
/// A contended wait runs as a series of timed waits of <see cref="DeadlockCheckMilliseconds"/>
/// (<c>QSPIN_CHECKED_DEADLOCK_MS</c>, default 1000); after each, the waiter follows the wait-for graph
/// (lock -> owner -> the lock that owner waits for -> ...). A cycle through the waiter is a deadlock
/// (rqspinlock's ABBA check, generalised to any length). Exactly one thread of a cycle, the one with the
/// highest managed thread id, throws <see cref="QSpinDeadlockException"/>; the others keep waiting and
/// proceed once the victim unwinds and releases what it holds. A timed wait gives up its queue place,
/// so checked mode does not keep strict FIFO order among waiters.
/// </remarks>
internal static class CheckedMode
{
    /// <summary>Whether checked mode is on: <c>QSPIN_CHECKED</c>, else the AppContext switch <c>QSpin.Checked</c>; a feature switch like <see cref="LockEvents.Enabled"/>.</summary>
    [FeatureSwitchDefinition(FeatureSwitches.Checked)]
    public static bool Enabled { get; } = FeatureSwitches.Read("QSPIN_CHECKED", FeatureSwitches.Checked);

    public static readonly int DeadlockCheckMilliseconds =
        int.TryParse(Environment.GetEnvironmentVariable("QSPIN_CHECKED_DEADLOCK_MS"), out int ms) && ms > 0 ? ms : 1000;

    private static readonly Lock s_gate = new();
    private static readonly Dictionary<QSpinLock, ThreadState> s_owners = new(ReferenceEqualityComparer.Instance);

    [ThreadStatic] private static ThreadState? t_state;

    private sealed class ThreadState(Thread thread)
    {
        public readonly Thread Thread = thread;
        public readonly List<QSpinLock> Held = [];
        public QSpinLock? WaitingFor;
    }

    private static ThreadState Me => t_state ??= new ThreadState(Thread.CurrentThread);


    /// <summary>How a lock is named in messages: stable for the object's lifetime.</summary>
    internal static string Name(QSpinLock l) => $"QSpinLock@{RuntimeHelpers.GetHashCode(l):x8}";

    private static string Name(Thread t) => $"thread '{t.Name ?? "unnamed"}' (#{t.ManagedThreadId})";

    /// <summary>Enter, TryEnter(timeout) and Enter(token) in checked mode. False: the wait gave up.</summary>
    public static bool Enter(QSpinLock l, QSpinMode mode, Until? limit)
    {
        ThreadState me = Me;
        lock (s_gate)
        {
            if (me.Held.Contains(l))
                throw new LockRecursionException(
                    $"{Name(me.Thread)} tried to enter {Name(l)}, which it already holds. QSpinLock is not reentrant: outside checked mode this waits forever.");
        }

        if (!l.TryEnterUnchecked())
        {
            lock (s_gate) me.WaitingFor = l;
            try
            {
                while (true)
                {
                    int slice = DeadlockCheckMilliseconds;
                    if (l.EnterAs(mode, CheckSlice(slice, limit))) break;
                    if (limit is { } lim && lim.ShouldGiveUp()) return false;
                    ThrowIfDeadlockVictim(me);
                }
            }
            finally
            {
                lock (s_gate) me.WaitingFor = null;
            }
        }

        Record(l, me);
        return true;
    }

    // The next timed wait: one check interval, or less if the caller's own deadline comes first.
    private static Until CheckSlice(int sliceMs, Until? limit)
    {
        Until slice = Until.After(sliceMs, default);
        return limit is { } lim ? lim.WithDeadlineNoLaterThan(slice) : slice;
    }

    /// <summary>TryEnter() in checked mode: immediate, never throws for recursion (it cannot deadlock).</summary>
    public static bool TryEnter(QSpinLock l)
    {
        if (!l.TryEnterUnchecked()) return false;
        Record(l, Me);
        return true;
    }

    private static void Record(QSpinLock l, ThreadState me)
    {
        lock (s_gate)
        {
            s_owners[l] = me;
            me.Held.Add(l);
        }
    }

    /// <summary>Exit in checked mode: only the owner may release.</summary>
    public static void Exit(QSpinLock l, QSpinMode mode)
    {
        ThreadState me = Me;
        lock (s_gate)
        {
            if (!s_owners.TryGetValue(l, out ThreadState? owner))
                throw new SynchronizationLockException($"{Name(me.Thread)} called Exit on {Name(l)}, which is not held.");
            if (owner != me)
                throw new SynchronizationLockException($"{Name(me.Thread)} called Exit on {Name(l)}, which is held by {Name(owner.Thread)}.");
            s_owners.Remove(l);
            me.Held.Remove(l);
        }
        l.ExitAs(mode);
    }

    public static bool IsHeldByCurrentThread(QSpinLock l)
    {
        ThreadState me = Me;
        lock (s_gate) return s_owners.TryGetValue(l, out ThreadState? owner) && owner == me;
    }

    private static void ThrowIfDeadlockVictim(ThreadState me)
    {
        List<QSpinLock> locks = [];
        List<ThreadState> threads = [];
        lock (s_gate)
        {
            ThreadState t = me;
            while (true)
            {
                QSpinLock? waited = t.WaitingFor;
                if (waited is null || !s_owners.TryGetValue(waited, out ThreadState? owner)) return;
                locks.Add(waited);
                threads.Add(t);
                if (owner == me) break;                 // back to us: a cycle
                if (threads.Contains(owner)) return;    // a cycle we are only waiting on; its members report it
                t = owner;
            }
        }

        // One victim per cycle, chosen the same way by every member.
        int victim = threads.Max(t => t.Thread.ManagedThreadId);
        if (me.Thread.ManagedThreadId != victim) return;

        var text = new System.Text.StringBuilder($"Deadlock among {threads.Count} threads: ");
        for (int i = 0; i < threads.Count; i++)
        {
            text.Append($"{Name(threads[i].Thread)} waits for {Name(locks[i])}, held by {Name(threads[(i + 1) % threads.Count].Thread)}");
            text.Append(i + 1 < threads.Count ? "; " : ".");
        }
        text.Append($" This thread ({Name(me.Thread)}) gives up its wait to break the cycle.");
        throw new QSpinDeadlockException(text.ToString(), locks, threads.Select(t => t.Thread).ToList());
    }
}
