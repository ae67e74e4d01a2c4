using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using QSpin.Platform;

namespace QSpin;

/// <summary>
/// The Linux kernel's queued spinlock for .NET: a fair (FIFO) lock that takes one atomic
/// compare-and-swap to lock and one byte store to unlock when uncontended, hands the lock over
/// through an MCS queue whose waiters each spin on their own cache line, and, in the default
/// <see cref="QSpinMode.Paravirt"/> mode, parks waiters on a futex so that it keeps its throughput
/// when threads outnumber cores.
/// </summary>
/// <remarks>
/// <para>
/// The lock is <b>not reentrant</b>, like a kernel spinlock: a thread that calls <see cref="Enter()"/>
/// on a lock it already holds waits for itself forever. It is <b>not owner-checked</b>: any thread
/// may call <see cref="Exit"/>, and a thread that exits a lock another thread holds releases it for
/// that thread. In every mode the unlock is a store by design (paravirt adds one load), so exiting a
/// free lock leaves it free; checked mode (<c>QSPIN_CHECKED=1</c>) reports it.
/// </para>
/// <para>
/// The wait strategy is chosen once per process (<see cref="QSpinOps"/>); the Tier-1 JIT compiles
/// the other strategies away, so in native mode <see cref="Exit"/> is one <c>mov byte ptr [..], 0</c>.
/// </para>
/// <para>
/// A <see cref="QSpinLock"/> is one object holding the 32-bit lock word and a 32-bit field naming the
/// parked queue head (paravirt mode), 24 bytes on a 64-bit runtime. Each thread that has ever queued
/// owns a 640-byte block of native memory (4 padded queue nodes and a parking word), kept for reuse.
/// </para>
/// </remarks>
[StructLayout(LayoutKind.Sequential)] // PvHead right after Word: NextWordHead finds it from the word
public sealed class QSpinLock
{
    /// <summary>The lock word; see <see cref="LockWord"/> for the layout.</summary>
    internal int Word;

    /// <summary>
    /// Paravirt: the tail encoding of the queue head that parked and must be kicked by the unlocker,
    /// 0 when none (<see cref="NextWordHead"/>). This replaces the kernel's lock-to-node hash table
    /// (see docs/design.md): it sits in the object's padding, so it costs no memory, and it needs no probing.
    /// </summary>
    internal int PvHead;

    /// <summary>Creates an unlocked lock.</summary>
    /// <exception cref="InvalidOperationException">The process's <c>QSPIN_MODE</c> or <c>QSpin.Mode</c> setting is invalid.</exception>
    public QSpinLock()
    {
        QSpinOps.ThrowIfInvalid();
    }

    /// <summary>Acquires the lock, waiting as long as necessary. Waiters acquire in arrival order (paravirt mode lets arrivals steal the lock for a bounded time before they queue, and while the queue head is parked).</summary>
    /// <remarks>Calling this on a lock the current thread already holds never returns.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (CheckedMode.Enabled)
        {
            CheckedMode.Enter(this, QSpinOps.Current, null);
            return;
        }
        int seen = FastPath(QSpinOps.Current);
        if (seen != 0) EnterContended(seen);
    }

    /// <summary>Acquires the lock only if it is free and nobody is waiting for it; never waits or queues.</summary>
    /// <returns>True if the lock was acquired.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter()
    {
        if (CheckedMode.Enabled) return CheckedMode.TryEnter(this);
        return TryEnterUnchecked();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryEnterUnchecked()
    {
        bool taken = Atomic.LoadRelaxed(ref Word) == 0 // a peek: does not take the line exclusive when busy
            && Atomic.CompareExchange(ref Word, LockWord.Locked, 0) == 0; // pairs with the release in Exit
        LockEvents.IncIf(LockEvent.Fastpath, taken);
        return taken;
    }

    /// <summary>
    /// Tries to acquire the lock, waiting at most <paramref name="millisecondsTimeout"/> milliseconds.
    /// A waiter that times out leaves the queue; the waiters behind it keep their places and order.
    /// </summary>
    /// <param name="millisecondsTimeout">The longest wait in milliseconds; <see cref="Timeout.Infinite"/> (-1) waits forever, 0 never waits.</param>
    /// <returns>True if the lock was acquired, false if the timeout passed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="millisecondsTimeout"/> is less than -1.</exception>
    public bool TryEnter(int millisecondsTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, Timeout.Infinite);
        if (millisecondsTimeout == 0) return TryEnter();
        Until limit = Until.After(millisecondsTimeout, default);
        if (CheckedMode.Enabled) return CheckedMode.Enter(this, QSpinOps.Current, millisecondsTimeout == Timeout.Infinite ? null : limit);
        return millisecondsTimeout == Timeout.Infinite ? EnterAs(QSpinOps.Current) : EnterAs(QSpinOps.Current, limit);
    }

    /// <summary>
    /// Tries to acquire the lock, waiting at most <paramref name="timeout"/>.
    /// A waiter that times out leaves the queue; the waiters behind it keep their places and order.
    /// </summary>
    /// <param name="timeout">The longest wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever, <see cref="TimeSpan.Zero"/> never waits.</param>
    /// <returns>True if the lock was acquired, false if the timeout passed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than -1 ms) or more than <see cref="int.MaxValue"/> milliseconds.</exception>
    public bool TryEnter(TimeSpan timeout)
    {
        long ms = (long)timeout.TotalMilliseconds;
        if (ms < -1 || ms > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be -1 ms (infinite) or between 0 and Int32.MaxValue milliseconds.");
        return TryEnter((int)ms);
    }

    /// <summary>
    /// Acquires the lock, waiting until it is acquired or <paramref name="cancellationToken"/> is
    /// cancelled. A cancelled waiter leaves the queue; the waiters behind it keep their places.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancellation was requested before the lock was acquired.</exception>
    public void Enter(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var limit = new Until(long.MaxValue, cancellationToken);
        bool acquired = CheckedMode.Enabled ? CheckedMode.Enter(this, QSpinOps.Current, limit)
            : cancellationToken.CanBeCanceled ? EnterAs(QSpinOps.Current, limit)
            : EnterAs(QSpinOps.Current);
        if (!acquired) throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Releases the lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit()
    {
        if (CheckedMode.Enabled) CheckedMode.Exit(this, QSpinOps.Current);
        else ExitAs(QSpinOps.Current);
    }

    /// <summary>Acquires the lock and returns a scope whose <see cref="Scope.Dispose"/> releases it: <c>using (l.EnterScope()) { ... }</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Scope EnterScope()
    {
        Enter();
        return new Scope(this);
    }

    /// <summary>True if the calling thread holds the lock. Available in checked mode only.</summary>
    /// <exception cref="InvalidOperationException">Checked mode is off: ownership is not tracked.</exception>
    public bool IsHeldByCurrentThread
    {
        get
        {
            if (!CheckedMode.Enabled)
                throw new InvalidOperationException(
                    "QSpinLock tracks its owner only in checked mode: set the environment variable QSPIN_CHECKED=1 or the AppContext switch QSpin.Checked before the first lock is used.");
            return CheckedMode.IsHeldByCurrentThread(this);
        }
    }

    /// <summary>True while some thread holds the lock (a racy snapshot).</summary>
    public bool IsLocked => (Atomic.LoadRelaxed(ref Word) & LockWord.LockedMask) != 0;

    /// <summary>True while threads wait for the lock: a pending waiter or a non-empty queue (a racy snapshot).</summary>
    public bool IsContended => (Atomic.LoadRelaxed(ref Word) & ~LockWord.LockedMask) != 0;

    /// <summary>The lock word decoded, for diagnostics.</summary>
    public override string ToString() => "QSpinLock " + LockWord.Describe(Atomic.LoadRelaxed(ref Word));

    /// <summary>Releases the lock when disposed. Obtained from <see cref="EnterScope"/>.</summary>
    public ref struct Scope
    {
        private QSpinLock? _lock;

        internal Scope(QSpinLock l) => _lock = l;

        /// <summary>Releases the lock; a second call does nothing.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose()
        {
            QSpinLock? l = _lock;
            if (l is not null)
            {
                _lock = null;
                l.Exit();
            }
        }
    }

    // ---- The "patched" paths: Enter inlines FastPath, Exit exactly one of the unlocks. These are
    // WordLock's fast path and unlocks written out on the Word field, not calls passing `ref Word`:
    // the JIT evaluates such an argument, used more than once in the inlinee, into a temporary with
    // its own null check of `this`, one instruction more in the folded native Exit (DisassemblyTests). ----

    /// <summary>
    /// The one atomic of an uncontended acquisition; returns 0 when it took the lock, else a non-zero
    /// lock word for the slow path. Native and test-and-set: CAS the whole word 0 -> Locked.
    /// Paravirt: CAS only locked+pending (0,0) -> (0,1), whatever the tail: the kernel's hybrid unfair
    /// trylock, tried first instead of after a failed whole-word CAS, so that taking the lock past a
    /// queue costs one atomic, not two. Pending set (the head is spinning) stops it, and so does Parked
    /// (a head is parked, until the unlock claims the bit): then the slow path's steal takes the lock.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FastPath(QSpinMode mode)
    {
        int seen;
        if (mode == QSpinMode.Paravirt)
        {
            ushort low = Atomic.CompareExchange(ref LockWord.LockedPending(ref Word), (ushort)LockWord.Locked, 0); // pairs with the release in Exit
            seen = low == 0 ? 0 : low | LockWord.TailMask; // non-zero: the slow path ignores the value in pv mode
        }
        else
        {
            seen = Atomic.CompareExchange(ref Word, LockWord.Locked, 0); // pairs with the release in Exit
        }
        LockEvents.IncIf(LockEvent.Fastpath, seen == 0);
        return seen;
    }

    /// <summary>The out-of-line contended path of <see cref="Enter()"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended(int seen)
    {
        var forever = new Forever();
        WordLock<NextWordHead>.EnterContended(ref Word, QSpinOps.Current, seen, ref forever, this, -1);
    }

    // ---- Mode-explicit entry points: the real code paths of any mode, callable in any process (checked
    // mode, tests, bench). The public entry points are these with the process's mode. ----

    /// <summary>Acquires the lock as <paramref name="mode"/> does, waiting as long as necessary; returns true.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal bool EnterAs(QSpinMode mode) => WordLock<NextWordHead>.EnterAs(ref Word, mode, this, -1);

    /// <summary>Acquires the lock as <paramref name="mode"/> does, unless <paramref name="limit"/> passes first (false).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal bool EnterAs(QSpinMode mode, Until limit) => WordLock<NextWordHead>.EnterAs(ref Word, mode, limit, this, -1);

    /// <summary>Releases the lock as <paramref name="mode"/> does: each mode's unlock, as the kernel patches it in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ExitAs(QSpinMode mode)
    {
        if (mode == QSpinMode.Native) ExitNative();
        else if (mode == QSpinMode.Paravirt) ExitParavirt();
        else ExitTestAndSet();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ExitNative()
    {
        if (Seeded.UnlockStoresWholeWord) { Atomic.StoreRelease(ref Word, 0); return; }
        Atomic.StoreRelease(ref LockWord.LockedByte(ref Word), 0); // pairs with the next owner's CAS or spin
    }

    /// <summary>
    /// The paravirt unlock, without an atomic: a release store of the locked byte, then a plain load of
    /// Parked, the light half of the handshake whose heavy half is the parking head's process-wide
    /// barrier (docs/design.md, "The unlock without an atomic"). No check that the lock is held: that
    /// load cost 12 % of an uncontended acquisition (docs/benchmarks.md); checked mode reports it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ExitParavirt()
    {
        if (Seeded.UnlockReadsParkedFirst) { ExitReadingParkedFirst(); return; }
        Atomic.StoreRelease(ref LockWord.LockedByte(ref Word), 0); // pairs with the next owner's CAS
        if (!ProcessBarrier.IsReliable) Atomic.FullFence(); // folded away where the parking head's process-wide barrier does the job
        if ((Atomic.LoadRelaxed(ref LockWord.PendingByte(ref Word)) & LockWord.ParkedBit) != 0) // after the store in program order, with no fence: the parking head's process-wide barrier orders the pair
            ParavirtSlowPath<NextWordHead>.KickParked(ref Word);
    }

    /// <summary>The seeded bug <see cref="Mutant.PvUnlockReadsParkedFirst"/>: Parked is read before the release store.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ExitReadingParkedFirst()
    {
        bool parked = (Atomic.LoadRelaxed(ref LockWord.PendingByte(ref Word)) & LockWord.ParkedBit) != 0;
        Atomic.StoreRelease(ref LockWord.LockedByte(ref Word), 0);
        if (parked) ParavirtSlowPath<NextWordHead>.KickParked(ref Word);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ExitTestAndSet()
    {
        // No tail or pending bits exist in this mode, so the whole word is stored: a byte store
        // followed by the next whole-word CAS would stall store-to-load forwarding.
        Atomic.StoreRelease(ref Word, 0); // pairs with the CAS in Enter/TestAndSetPath
    }
}
