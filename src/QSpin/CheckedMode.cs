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
    private static readonly Dictionary<CheckedLock, ThreadState> s_owners = new();

    [ThreadStatic] private static ThreadState? t_state;

    private sealed class ThreadState(Thread thread)
    {
        public readonly Thread Thread = thread;
        public readonly List<CheckedLock> Held = [];
        public CheckedLock? WaitingFor;
    }

    private static ThreadState Me => t_state ??= new ThreadState(Thread.CurrentThread);


    /// <summary>How a lock is named in messages: stable for the object's lifetime.</summary>
    private static string Name(CheckedLock l) => l.Name;

    private static string Name(Thread t) => $"thread '{t.Name ?? "unnamed"}' (#{t.ManagedThreadId})";

    /// <summary>Enter, TryEnter(timeout) and Enter(token) in checked mode. False: the wait gave up.</summary>
    public static bool Enter(CheckedLock l, QSpinMode mode, Until? limit)
    {
        ThreadState me = Me;
        lock (s_gate)
        {
            if (me.Held.Contains(l))
                throw new LockRecursionException(
                    $"{Name(me.Thread)} tried to enter {Name(l)}, which it already holds. QSpin locks are not reentrant: outside checked mode this waits forever.");
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
    public static bool TryEnter(CheckedLock l)
    {
        if (!l.TryEnterUnchecked()) return false;
        Record(l, Me);
        return true;
    }

    private static void Record(CheckedLock l, ThreadState me)
    {
        lock (s_gate)
        {
            s_owners[l] = me;
            me.Held.Add(l);
        }
    }

    /// <summary>Exit in checked mode: only the owner may release.</summary>
    public static void Exit(CheckedLock l, QSpinMode mode)
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

    public static bool IsHeldByCurrentThread(CheckedLock l)
    {
        ThreadState me = Me;
        lock (s_gate) return s_owners.TryGetValue(l, out ThreadState? owner) && owner == me;
    }

    private static void ThrowIfDeadlockVictim(ThreadState me)
    {
        List<CheckedLock> locks = [];
        List<ThreadState> threads = [];
        lock (s_gate)
        {
            ThreadState t = me;
            while (true)
            {
                CheckedLock? waited = t.WaitingFor;
                if (waited is not { } w || !s_owners.TryGetValue(w, out ThreadState? owner)) return;
                locks.Add(w);
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
        throw new QSpinDeadlockException(text.ToString(), locks.Select(l => l.PublicIdentity).ToList(), threads.Select(t => t.Thread).ToList());
    }
}

/// <summary>
/// A lock as checked mode tracks it: a <see cref="QSpinLock"/> (<see cref="Index"/> -1), or one
/// element of a <see cref="QSpinLockArray"/>. Equal when it names the same lock.
/// </summary>
internal readonly record struct CheckedLock(object Owner, int Index)
{
    public static implicit operator CheckedLock(QSpinLock l) => new(l, -1);

    public bool Equals(CheckedLock other) => ReferenceEquals(Owner, other.Owner) && Index == other.Index;

    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Owner), Index);

    /// <summary>How the lock is named in messages: stable for the object's lifetime.</summary>
    public string Name => Index < 0
        ? $"QSpinLock@{RuntimeHelpers.GetHashCode(Owner):x8}"
        : $"QSpinLockArray@{RuntimeHelpers.GetHashCode(Owner):x8}[{Index}]";

    /// <summary>What <see cref="QSpinDeadlockException.Locks"/> reports: the lock, or the array and index.</summary>
    public object PublicIdentity => Index < 0 ? Owner : new QSpinLockArray.Element((QSpinLockArray)Owner, Index);

    public bool TryEnterUnchecked() => Owner is QSpinLock l ? l.TryEnterUnchecked() : ((QSpinLockArray)Owner).TryEnterUnchecked(Index);

    public bool EnterAs(QSpinMode mode, Until limit) => Owner is QSpinLock l ? l.EnterAs(mode, limit) : ((QSpinLockArray)Owner).EnterAs(Index, mode, limit);

    public void ExitAs(QSpinMode mode)
    {
        if (Owner is QSpinLock l) l.ExitAs(mode);
        else ((QSpinLockArray)Owner).ExitAs(Index, mode);
    }
}
