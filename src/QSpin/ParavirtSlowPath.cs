using System.Runtime.CompilerServices;
using QSpin.Platform;

namespace QSpin;

/// <summary>
/// The paravirtual slow path (the kernel's qspinlock_paravirt.h). Waiters spin for a bounded time and
/// then park. A waiter behind the head parks on its node's state; the predecessor that hands it the
/// baton does not wake it but marks it Hashed, registers it with the lock and writes Slow into the
/// locked byte, so the wake-up happens once, at unlock time. A queue head that parks registers itself
/// and exchanges Slow into the locked byte; the unlock's byte CAS then fails, and its slow path
/// deregisters and kicks the head after releasing. Arrivals may steal the lock for a bounded time
/// before they queue, whether or not a queue exists, as long as no queue head is spinning (pending
/// clear); this keeps throughput up when waiters are descheduled. A head that was woken and lost the
/// lock again keeps pending while it parks again, so stealers cannot bypass it indefinitely.
/// </summary>
/// <typeparam name="THeads">Where the lock records its parked head (<see cref="IParkedHeads"/>).</typeparam>
internal static unsafe class ParavirtSlowPath<THeads> where THeads : struct, IParkedHeads
{
    /// <summary>
    /// The kernel's hybrid unfair trylock, with two changes: an arrival at a held lock keeps trying
    /// also while nobody is queued (the kernel queues at once then), and it looks at the word with
    /// exponential back-off (up to <see cref="Spin.StealBackoffCap"/> pauses). It takes the locked byte
    /// whenever locked and pending are both clear, even past a queue, and stops when a queue head is
    /// spinning (pending set) or after the pv spin threshold, so unfairness stays bounded. Why, with
    /// the measurements: docs/design.md ("Paravirt: what differs from the kernel") and docs/benchmarks.md.
    /// </summary>
    /// <returns>True if the lock was stolen; false to queue (also when <paramref name="wait"/> gave up: the queue then gives up at its first check).</returns>
    public static bool TrySteal<TWait>(ref int word, ref TWait wait) where TWait : struct, IWaitPolicy
    {
        int backoff = 1;
        for (int spins = Spin.PvStealSpins; ; )
        {
            int val = Atomic.LoadRelaxed(ref word); // a peek: the CAS below decides
            if ((val & LockWord.LockedPendingMask) == 0)
            {
                if (Atomic.CompareExchange(ref LockWord.LockedByte(ref word), LockWord.Locked, 0) == 0) // pairs with ExitParavirt's CAS or Unlock's exchange
                {
                    LockEvents.Inc(LockEvent.PvLockStealing);
                    return true;
                }
            }
            if ((val & LockWord.PendingMask) != 0 || spins <= 0) return false;
            if (TWait.CanGiveUp && wait.ShouldGiveUp()) return false;
            int pauses = Math.Min(backoff, spins); // the whole spin stays within the bound
            for (int i = 0; i < pauses; i++) Spin.Pause();
            spins -= pauses;
            if (backoff < Spin.StealBackoffCap) backoff <<= 1;
        }
    }

    /// <summary>One steal attempt: the byte CAS when locked and pending are clear (used without a node).</summary>
    public static bool TryStealOnce(ref int word)
    {
        bool stolen = (Atomic.LoadRelaxed(ref word) & LockWord.LockedPendingMask) == 0 // a peek: the CAS decides
            && Atomic.CompareExchange(ref LockWord.LockedByte(ref word), LockWord.Locked, 0) == 0; // pairs with ExitParavirt's CAS or Unlock's exchange
        LockEvents.IncIf(LockEvent.PvLockStealing, stolen);
        return stolen;
    }

    /// <summary>
    /// pv_wait_node: wait for the baton, spinning a bounded time, stopping early if the predecessor is
    /// not running (its owner parked, so the baton is far away), then parking on our node's state.
    /// Returns true once the baton is here, false if <paramref name="wait"/> gave up first (the caller
    /// then tries to abandon the node; the baton may still have arrived in between).
    /// </summary>
    public static bool WaitNode<TWait>(QNode* node, QNode* prev, int slot, ref TWait wait) where TWait : struct, IWaitPolicy
    {
        for (int waits = 0; ; waits++)
        {
            bool waitEarly = false;
            for (int loop = Spin.PvSpinThreshold; loop > 0; loop--)
            {
                if (Atomic.LoadAcquire(&node->Locked) != Baton.Waiting) return true; // pairs with the predecessor's hand-over of the baton
                if (TWait.CanGiveUp && (loop & Spin.GiveUpCheckMask) == 0 && wait.ShouldGiveUp()) return false;
                if ((loop & Spin.PvPrevCheckMask) == 0 && Atomic.LoadRelaxed(&prev->State) != PvState.Running) // a hint: prev may even be reused
                {
                    waitEarly = true;
                    break;
                }
                Spin.Pause();
            }

            // [S] state = Halted; [L] node.Locked   versus the predecessor's [S] node.Locked = Handed;
            // [RmW] state Halted -> Hashing (KickNode), each store ordered before the load (design.md, store->load).
            // At least one side sees the other's store: we see the baton, or it sees us halted.
            Atomic.Exchange(&node->State, PvState.Halted); // its write is ordered before the read below (not so with a release store); pairs with KickNode's CAS on our state
            if (Atomic.LoadAcquire(&node->Locked) == 0) // pairs with the predecessor's hand-over of the baton
            {
                LockEvents.Inc(LockEvent.PvWaitNode);
                LockEvents.IncIf(LockEvent.PvWaitAgain, waits > 0);
                LockEvents.IncIf(LockEvent.PvWaitEarly, waitEarly);
                if (Atomic.LoadRelaxed(&node->State) == PvState.Halted) SlotParking.Park(slot, wait.RemainingNanoseconds()); // pv_wait(&state, Halted); a hint: the park word's permit loses no kick
            }

            // Back to running, unless KickNode made us Hashed: that must stay, so that as head we know
            // the lock already names us and holds Slow.
            Atomic.CompareExchange(&node->State, PvState.Running, PvState.Halted); // atomic with KickNode's CAS on the same word
            LockEvents.IncIf(LockEvent.PvSpuriousWakeup, Atomic.LoadRelaxed(&node->Locked) == Baton.Waiting); // statistics only
            if (TWait.CanGiveUp && wait.ShouldGiveUp()) return Atomic.LoadAcquire(&node->Locked) != Baton.Waiting; // pairs with the predecessor's hand-over of the baton
        }
    }

    /// <summary>
    /// pv_kick_node, called by the new owner right after handing <paramref name="next"/> the baton. If
    /// the successor is parked it is not woken now: it is marked Hashed and registered with the lock,
    /// and Slow in the locked byte makes our own unlock kick it.
    /// </summary>
    public static void KickNode(ref int word, QNode* next)
    {
        if (Atomic.CompareExchange(&next->State, PvState.Hashing, PvState.Halted) != PvState.Halted) // reads after our baton store even when it fails (a release store, or a CAS, before an atomic); pairs with WaitNode's exchange
            return;

        // We own the lock: only our own unlock takes the record (a previous owner's late re-check may
        // read it, harmlessly), so the field needs no read-modify-write; the table uses CASes anyway.
        THeads.Record(ref word, next->Tail); // ordered before Slow by the store below
        Atomic.StoreRelease(ref LockWord.LockedByte(ref word), LockWord.Slow); // our unlock takes the slow path; pairs with whoever reads Slow, so the record is visible
        Atomic.StoreRelease(&next->State, PvState.Hashed); // the registration is complete; pairs with the head's wait for Hashed
    }

    /// <summary>
    /// Hand-over without the lock (a queue head gave up and passed its role on): a parked successor
    /// must run now, as nobody's unlock will kick it.
    /// </summary>
    public static void WakeNode(QNode* next)
    {
        if (Atomic.CompareExchange(&next->State, PvState.Running, PvState.Halted) == PvState.Halted) // reads after the baton store even when it fails (a release store, or a CAS, before an atomic); pairs with WaitNode's exchange
            SlotParking.Kick(LockWord.TailSlot(next->Tail));
    }

    /// <summary>
    /// pv_wait_head_or_lock: as queue head, set pending (no stealing) and spin a bounded time trying to
    /// take the lock; then clear pending, register with the lock, exchange Slow into the locked byte (if
    /// it was free, the lock is ours) and park until the unlocker kicks us. Returns the lock word with
    /// the lock held by us.
    /// </summary>
    public static bool WaitHeadOrLock<TWait>(ref int word, QNode* node, int slot, ref TWait wait, out int val) where TWait : struct, IWaitPolicy
    {
        ref byte locked = ref LockWord.LockedByte(ref word);

        // KickNode may have registered us and set Slow; if it is in the middle of it, let it finish
        // (a few stores) so that "registered" means the lock already names us and holds Slow.
        int spinsForKick = 0;
        while (true)
        {
            if (Atomic.LoadAcquire(&node->State) != PvState.Hashing) break; // pairs with KickNode's store of Hashed
            Spin.PauseUnbounded(ref spinsForKick);
        }
        bool registered = Atomic.LoadAcquire(&node->State) == PvState.Hashed; // pairs with KickNode's store of Hashed
        bool mayBeRecorded = registered; // a record of ours may be in THeads that no unlock took: Forget it when we leave

        for (int waits = 0; ; waits++)
        {
            Atomic.StoreRelaxed(&node->State, PvState.Running); // a hint for our successor's wait-early check
            Atomic.StoreRelaxed(ref LockWord.PendingByte(ref word), 1); // stops stealers while we spin

            bool gaveUp = false;
            for (int loop = Spin.PvSpinThreshold; loop > 0; loop--)
            {
                if (TryLockClearPending(ref word)) goto gotLock;
                if (TWait.CanGiveUp && (loop & Spin.GiveUpCheckMask) == 0 && wait.ShouldGiveUp())
                {
                    gaveUp = true;
                    break;
                }
                Spin.Pause();
            }

            // The first time we park, clear pending so that arrivals may use the lock while we sleep
            // (the kernel's choice). Woken once and still without the lock (stealers took it while we
            // woke, and held it longer than our spin), we keep pending while we park again: then only
            // we can take the lock at its next release, which bounds how often we are bypassed.
            bool givingUp = TWait.CanGiveUp && (gaveUp || (waits > 0 && wait.ShouldGiveUp()));
            bool keepPending = waits > 0 && !givingUp;
            if (!keepPending) Atomic.StoreRelaxed(ref LockWord.PendingByte(ref word), 0); // stealers may come in while we park

            if (givingUp)
            {
                if (registered && Deregister(ref word, node)) mayBeRecorded = false;
                if (mayBeRecorded && !Seeded.KeepsStaleRecord) THeads.Forget(ref word, node->Tail);
                val = 0;
                return false;
            }

            // The unlocker deregisters us before it clears Slow. If Slow is gone, so is our registration.
            if (registered && Atomic.LoadAcquire(ref locked) != LockWord.Slow) registered = false; // pairs with the unlocker's exchange of the locked byte: its take of our record comes before our next one

            if (!registered)
            {
                // Register before Slow becomes visible: an unlocker that sees Slow must find us.
                if (!Seeded.SlowBeforeRecord) THeads.Record(ref word, node->Tail); // ordered before Slow by the exchange below
                byte old = Atomic.Exchange(ref locked, LockWord.Slow); // publishes the record before Slow; pairs with the unlock CAS that reads Slow
                if (Seeded.SlowBeforeRecord) THeads.Record(ref word, node->Tail); // the seeded bug: recorded after Slow, unordered with the unlocker's read
                mayBeRecorded = true;
                if (old == 0)
                {
                    // The lock was free and is now ours: undo Slow and the registration (and the
                    // pending bit we kept, which nobody else would clear).
                    Atomic.StoreRelaxed(ref locked, LockWord.Locked); // we own it; nobody else writes a held locked byte
                    if (keepPending) Atomic.StoreRelaxed(ref LockWord.PendingByte(ref word), 0); // only the head sets or clears pending in pv mode
                    THeads.Erase(ref word);
                    mayBeRecorded = false;
                    goto gotLock;
                }
                registered = true;
            }

            Atomic.StoreRelaxed(&node->State, PvState.Hashed); // a hint: successors see we are not running and park early
            LockEvents.Inc(LockEvent.PvWaitHead);
            LockEvents.IncIf(LockEvent.PvWaitAgain, waits > 0);
            if (Atomic.LoadRelaxed(ref locked) == LockWord.Slow) SlotParking.Park(slot, wait.RemainingNanoseconds()); // pv_wait(&locked, Slow); a hint: the park word's permit loses no kick, and the loop re-reads
            // Woken, spuriously, or the lock was stolen after the unlocker released it: try again.
        }

    gotLock:
        // Taken by TryLockClearPending after an unlock that kicked us by its late re-check, which
        // leaves the record in place: drop it (we own the lock, so nobody else records for it now).
        if (mayBeRecorded && !Seeded.KeepsStaleRecord) THeads.Forget(ref word, node->Tail);
        val = Atomic.LoadRelaxed(ref word) | LockWord.Locked; // the CAS or exchange that took the lock ordered it
        return true;
    }

    /// <summary>
    /// A registered queue head gives up. The invariant "Slow is set only while the current head is
    /// registered" must hold for whoever becomes head next, so take Slow back (the owner then unlocks
    /// by the fast path) and our registration with it. If Slow is already gone, the owner's unlock has
    /// consumed the registration and will only kick us spuriously.
    /// </summary>
    /// <returns>True if it took Slow back and withdrew the registration; false if an unlock got there first.</returns>
    private static bool Deregister(ref int word, QNode* node)
    {
        if (Atomic.CompareExchange(ref LockWord.LockedByte(ref word), LockWord.Locked, LockWord.Slow) != LockWord.Slow) // atomic with the owner's unlock CAS and exchange of the same byte
            return false;
        THeads.Withdraw(ref word, node->Tail); // atomic with the unlock's take of the record: clear only our own registration
        return true;
    }

    /// <summary>(*,1,0) -> (*,0,1) with one 16-bit CAS, only when the locked byte reads 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryLockClearPending(ref int word)
    {
        if (Atomic.LoadRelaxed(ref LockWord.LockedByte(ref word)) != 0) return false; // a peek: the CAS decides
        return Atomic.CompareExchange(ref LockWord.LockedPending(ref word), (ushort)LockWord.Locked, (ushort)LockWord.Pending) == LockWord.Pending; // pairs with the release in Exit
    }

    /// <summary>
    /// The paravirt unlock's slow path: the byte CAS <c>Locked -> 0</c> saw <paramref name="seen"/>.
    /// Slow means a parked head is registered: deregister it, release, then kick it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Unlock(ref int word, byte seen)
    {
        ref byte locked = ref LockWord.LockedByte(ref word);
        if (seen == 0)
            throw new SynchronizationLockException("Exit was called on a lock that is not held.");
        if (seen != LockWord.Slow)
            throw new SynchronizationLockException(
                $"Exit found a corrupted lock word {LockWord.Describe(Atomic.LoadRelaxed(ref word))}; the lock was left as it was.");

        // The failed CAS that read Slow is an acquire load (on arm64 LSE only that: a failed casal writes
        // nothing; x64 and ARMv8.0 give a full fence), which is all we need: this exchange sees the registration
        // published before Slow (the kernel's smp_rmb()). Taking it atomically, we never erase a head that registers later.
        int head = THeads.Take(ref word); // the record the head made before its exchange of Slow, which our CAS read
        Atomic.Exchange(ref locked, 0); // the lock is free; the re-read below needs only this exchange's read (design.md, "Store->load handshakes")

        // The lock may be taken, and its waiters may leave, from here on; the kick goes to the head's thread
        // slot, and a kick of a thread that is no longer parked is only a spurious wake-up. head is 0
        // when a head that gave up took its registration back while we were on our way here.
        if (Seeded.UnlockSkipsKick) return;
        if (head != 0) KickHead(head);

        // A new head (after one gave up) may have registered over a Slow that our store just erased:
        // it parks only if it read Slow before our store, and then its registration is visible here.
        int late = THeads.Peek(ref word); // ordered after our exchange's read of the locked byte
        if (late != 0 && late != head) KickHead(late);
    }

    /// <summary>The seeded bug <see cref="Mutant.PvUnhashBeforeSlow"/>: the record is taken before the CAS reads Slow, and a head that records itself in between is never kicked.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void UnlockTakingFirst(ref int word)
    {
        int head = THeads.Take(ref word);
        byte seen = Atomic.CompareExchange(ref LockWord.LockedByte(ref word), 0, LockWord.Locked);
        if (seen == LockWord.Locked) return;
        if (seen != LockWord.Slow) throw new SynchronizationLockException("Exit was called on a lock that is not held.");
        Atomic.Exchange(ref LockWord.LockedByte(ref word), 0);
        if (head != 0) KickHead(head);
    }

    private static void KickHead(int head)
    {
        LockEvents.Inc(LockEvent.PvKickUnlock);
        long start = LockEvents.Now();
        SlotParking.Kick(LockWord.TailSlot(head));
        if (LockEvents.Enabled) LockEvents.Add(LockEvent.PvLatencyKick, LockEvents.NanosecondsSince(start));
    }
}
