using System.Diagnostics;
using System.Runtime.CompilerServices;
using QSpin.Platform;

namespace QSpin;

/// <summary>
/// The paravirtual slow path (after the kernel's qspinlock_paravirt.h). Waiters spin for a bounded time
/// and then park. A waiter behind the head parks on its node's state; the predecessor that hands it the
/// baton does not wake it but marks it Hashed, records it for the lock and sets Parked in the lock word,
/// so the wake-up happens once, at unlock time. A queue head that parks records itself, sets Parked and
/// issues a process-wide barrier, then parks if the lock is still held. The unlock is a plain release
/// store of the locked byte and a plain load of Parked: the two halves of an asymmetric Dekker
/// handshake (docs/design.md, "The unlock without an atomic"); an unlock that sees Parked claims it
/// with a CAS, takes the record and kicks the head. Arrivals may steal the lock for a bounded time
/// before they queue, whether or not a queue exists, as long as no queue head is spinning (Pending
/// clear); this keeps throughput up when waiters are descheduled. A head that was woken and lost the
/// lock again, or that has been the head longer than the steal window (<see cref="Fairness"/>), keeps
/// Pending while it parks, so from then on only it can take the lock.
/// </summary>
/// <typeparam name="THeads">Where the lock records its parked head (<see cref="IParkedHeads"/>).</typeparam>
internal static unsafe class ParavirtSlowPath<THeads> where THeads : struct, IParkedHeads
{
    /// <summary>
    /// The kernel's hybrid unfair trylock, tried before the arrival takes a queue node, with two
    /// changes: it keeps trying also while nobody is queued (the kernel queues at once then), and it
    /// backs off as <see cref="SpinWait"/> does, waiting before each look (exponentially longer spins,
    /// then yields of the core, never a sleep), as the test-and-set mode does. It takes the lock
    /// whenever the locked byte and Pending are both clear, even past a queue or a parked head (a 16-bit
    /// CAS, <see cref="TryStealAt"/>), and stops when a
    /// queue head is spinning or keeps Pending (set), or after <see cref="Spin.PvStealSteps"/> back-off
    /// steps, so unfairness stays bounded. Why, with the measurements: docs/design.md ("Paravirt: what
    /// differs from the kernel") and docs/benchmarks.md.
    /// </summary>
    /// <returns>True if the lock was stolen; false to queue (also when <paramref name="wait"/> gave up: the queue then gives up at its first check).</returns>
    public static bool TrySteal<TWait>(ref int word, ref TWait wait) where TWait : struct, IWaitPolicy
    {
        SpinWait backoff = default;
        for (int steps = Spin.PvStealSteps; steps > 0; steps--)
        {
            if (TestHooks.Enabled) Spin.Pause();
            else backoff.SpinOnce(sleep1Threshold: -1); // first wait, then look: the owner may take the lock again while its lines are hot
            int val = Atomic.LoadRelaxed(ref word); // a peek: the CAS below decides
            if ((val & LockWord.LockedOrSpinningHead) == 0 && TryStealAt(ref word, val))
            {
                LockEvents.Inc(LockEvent.PvLockStealing);
                return true;
            }
            if ((val & LockWord.Pending) != 0) return false;
            if (TWait.CanGiveUp && wait.ShouldGiveUp()) return false;
        }
        return false;
    }

    /// <summary>One steal attempt: the byte CAS when locked and pending are clear (used without a node).</summary>
    public static bool TryStealOnce(ref int word)
    {
        int val = Atomic.LoadRelaxed(ref word); // a peek: the CAS decides
        bool stolen = (val & LockWord.LockedOrSpinningHead) == 0 && TryStealAt(ref word, val);
        LockEvents.IncIf(LockEvent.PvLockStealing, stolen);
        return stolen;
    }

    /// <summary>
    /// The steal itself: a 16-bit CAS of locked+pending from the value just read (locked 0, Pending
    /// clear, Parked as it was) to the same with the lock taken. Not a CAS of the locked byte alone:
    /// a head may set Pending between the read and the CAS (it became head, or passed the steal
    /// window), and the steal must then fail (the fairness bound; found by review, the Coyote guard
    /// of paravirt-3x2-starving-heads catches the byte CAS with a slowed stealer).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryStealAt(ref int word, int seen)
    {
        if (TestHooks.Enabled) TestHooks.BetweenStealReadAndCas?.Invoke();
        if (Seeded.StealsWithByteCas) return Atomic.CompareExchange(ref LockWord.LockedByte(ref word), LockWord.Locked, 0) == 0;
        ushort low = (ushort)seen;
        return Atomic.CompareExchange(ref LockWord.LockedPending(ref word), (ushort)(low | LockWord.Locked), low) == low; // pairs with ExitParavirt's release store; fails if Pending or Parked changed
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
            // our record and Parked are set, to take them back.
            Atomic.CompareExchange(&node->State, PvState.Running, PvState.Halted); // atomic with KickNode's CAS on the same word
            LockEvents.IncIf(LockEvent.PvSpuriousWakeup, Atomic.LoadRelaxed(&node->Locked) == Baton.Waiting); // statistics only
            if (TWait.CanGiveUp && wait.ShouldGiveUp()) return Atomic.LoadAcquire(&node->Locked) != Baton.Waiting; // pairs with the predecessor's hand-over of the baton
        }
    }

    /// <summary>
    /// pv_kick_node, called by the new owner right after handing <paramref name="next"/> the baton. If
    /// the successor is parked it is not woken now: it is marked Hashed and recorded for the lock, and
    /// Parked makes our own unlock kick it (or an earlier owner's unlock still on its way out, which only
    /// wakes it early). Its steal window as head starts now; were the window zero (tests), it would get
    /// Pending in the same CAS, so that from our unlock on only it could take the lock, though asleep.
    /// </summary>
    public static void KickNode(ref int word, QNode* next)
    {
        if (Atomic.CompareExchange(&next->State, PvState.Hashing, PvState.Halted) != PvState.Halted) // reads after our baton store even when it fails (a release store, or a CAS, before an atomic); pairs with WaitNode's exchange
            return;

        next->HeadSince = Stopwatch.GetTimestamp(); // next is the head from now on; read by its thread after our release of Hashed
        bool starving = WaitedPastStealWindow(next) && !Seeded.StarvingHeadAllowsSteals; // only with a zero window (tests): it became head just now
        THeads.Record(ref word, next->Tail); // ordered before Parked by the CAS below
        SetPendingByteBits(ref word, starving ? (byte)(LockWord.ParkedBit | LockWord.PendingBit) : LockWord.ParkedBit); // our own unlock reads it after its release store (program order); pairs with a claiming unlock's CAS, which then sees the record
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
    /// pv_wait_head_or_lock: as queue head, set Pending (no stealing) and spin a bounded time trying to
    /// take the lock; then clear Pending (unless we were woken before or the steal window has passed),
    /// record ourselves, set Parked, issue the process-wide barrier and park if the lock is still held,
    /// until an unlock kicks us. Returns true with the lock held by us and <paramref name="val"/> the
    /// lock word; false if <paramref name="wait"/> gave up (nothing of ours is left in the word or the record).
    /// </summary>
    public static bool WaitHeadOrLock<TWait>(ref int word, QNode* node, int slot, ref TWait wait, out int val) where TWait : struct, IWaitPolicy
    {
        ref byte locked = ref LockWord.LockedByte(ref word);
        int tail = node->Tail;

        // KickNode may be registering us; if it is in the middle of it, let it finish (a few stores),
        // then take back what it set up: we are running, nobody needs to kick us.
        int spinsForKick = 0;
        while (true)
        {
            if (Atomic.LoadAcquire(&node->State) != PvState.Hashing) break; // pairs with KickNode's store of Hashed
            Spin.PauseUnbounded(ref spinsForKick);
        }
        if (Atomic.LoadRelaxed(&node->State) == PvState.Hashed) TakeParkedBack(ref word, tail); // KickNode's writes (and its HeadSince) are visible: the acquire above
        else node->HeadSince = Stopwatch.GetTimestamp(); // we are the head from now on

        for (int parks = 0; ; )
        {
            Atomic.StoreRelaxed(&node->State, PvState.Running); // a hint for our successor's wait-early check
            SetPendingByteBits(ref word, LockWord.PendingBit); // stops stealers while we spin

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

            // The first time we park, clear Pending so that arrivals may use the lock while we sleep
            // (the kernel's choice). Woken once and still without the lock (stealers took it while we
            // woke, and held it longer than our spin), or head for longer than the steal window, we keep
            // Pending while we park: then only we can take the lock at its next release, which bounds
            // how long we are bypassed.
            bool givingUp = TWait.CanGiveUp && (gaveUp || (parks > 0 && wait.ShouldGiveUp()));
            bool starving = !givingUp && WaitedPastStealWindow(node) && !Seeded.StarvingHeadAllowsSteals;
            bool keepPending = !givingUp && (parks > 0 || starving);
            if (!keepPending) ClearPendingByteBits(ref word, LockWord.PendingBit); // stealers may come in while we park
            if (givingUp)
            {
                val = 0;
                return false;
            }

            // Record ourselves before Parked becomes visible: an unlock that claims Parked must find us.
            if (!Seeded.ParkedBeforeRecord) THeads.Record(ref word, tail); // ordered before Parked by the CAS below
            SetPendingByteBits(ref word, LockWord.ParkedBit); // a full fence; pairs with the claiming unlock's CAS, which then sees the record
            if (Seeded.ParkedBeforeRecord) THeads.Record(ref word, tail); // the seeded bug: recorded after Parked, too late for an unlock that claims it at once

            // [S] Parked; barrier; [L] locked   against every unlock's [S] locked = 0; [L] Parked with no
            // fence between: the process-wide barrier gives the unlock's side its fence, so at least one
            // of us sees the other's store (docs/design.md, "The unlock without an atomic").
            if (ProcessBarrier.IsReliable) Atomic.MemoryBarrierProcessWide(); // else the unlock fences: our byte CAS is the full fence of this side
            Atomic.StoreRelaxed(&node->State, PvState.Hashed); // a hint: successors see we are not running and park early
            if (Atomic.LoadRelaxed(ref locked) != 0) // held: its unlock is after the barrier, so it will see Parked
            {
                LockEvents.Inc(LockEvent.PvWaitHead);
                LockEvents.IncIf(LockEvent.PvWaitAgain, parks > 0);
                if ((Atomic.LoadRelaxed(ref LockWord.PendingByte(ref word)) & LockWord.ParkedBit) != 0) // a hint: the park word's permit loses no kick, and the loop re-reads
                    SlotParking.Park(slot, ParkTimeout(node, keepPending, ref wait));
                parks++;
            }

            // Woken, timed out, spuriously, or the lock was free: take Parked back, unless an unlock
            // claimed it (then it took our record and kicks us; a later park returns at once).
            TakeParkedBack(ref word, tail);
        }

    gotLock:
        val = Atomic.LoadRelaxed(ref word) | LockWord.Locked; // the CAS that took the lock ordered it
        return true;
    }

    /// <summary>Whether the waiter of <paramref name="node"/> has been the queue head for longer than the steal window.</summary>
    private static bool WaitedPastStealWindow(QNode* node) => Stopwatch.GetTimestamp() - node->HeadSince >= Spin.StealWindowTicks;

    /// <summary>
    /// How long a head may park: until its deadline, and, outside test hooks, no longer than until the
    /// steal window passes (then it wakes and keeps Pending) or, keeping Pending already, than the
    /// re-check safety net (<see cref="Spin.ParkRecheckNanoseconds"/>). -1: no limit.
    /// </summary>
    private static long ParkTimeout<TWait>(QNode* node, bool keepingPending, ref TWait wait) where TWait : struct, IWaitPolicy
    {
        long deadline = wait.RemainingNanoseconds();
        if (TestHooks.Enabled) return deadline;
        long cap = Spin.ParkRecheckNanoseconds;
        if (!keepingPending)
        {
            long ticksLeft = node->HeadSince + Spin.StealWindowTicks - Stopwatch.GetTimestamp();
            cap = ticksLeft <= 0 ? 0 : Math.Min(cap, (long)(ticksLeft * (1_000_000_000.0 / Stopwatch.Frequency)) + 1);
        }
        return deadline < 0 ? cap : Math.Min(deadline, cap);
    }

    /// <summary>
    /// The head takes its Parked bit back and then its record, unless an unlock claimed the bit first
    /// (that unlock takes the record and kicks us).
    /// </summary>
    private static void TakeParkedBack(ref int word, int tail)
    {
        if (TryClearPendingByteBits(ref word, LockWord.ParkedBit) && !Seeded.KeepsStaleRecord) // atomic with the unlock's claim: exactly one of us clears it
            THeads.Withdraw(ref word, tail); // only our own record; atomic with the unlock's take
    }

    /// <summary>Sets <paramref name="bits"/> in the pending byte with a byte CAS loop (a full fence): the head and the unlocks share the byte.</summary>
    private static void SetPendingByteBits(ref int word, byte bits)
    {
        ref byte pending = ref LockWord.PendingByte(ref word);
        byte old = Atomic.LoadRelaxed(ref pending); // a guess: the CAS decides
        while (true)
        {
            byte seen = Atomic.CompareExchange(ref pending, (byte)(old | bits), old); // full fence; atomic with the other writers of the byte
            if (seen == old) return;
            old = seen;
        }
    }

    /// <summary>Clears <paramref name="bits"/> in the pending byte (a byte CAS loop).</summary>
    private static void ClearPendingByteBits(ref int word, byte bits) => TryClearPendingByteBits(ref word, bits);

    /// <summary>Clears <paramref name="bits"/> in the pending byte if any is set; true if this call cleared them (a byte CAS, full fence).</summary>
    private static bool TryClearPendingByteBits(ref int word, byte bits)
    {
        ref byte pending = ref LockWord.PendingByte(ref word);
        byte old = Atomic.LoadRelaxed(ref pending); // a guess: the CAS decides
        while ((old & bits) != 0)
        {
            byte seen = Atomic.CompareExchange(ref pending, (byte)(old & ~bits), old); // full fence; atomic with the other writers of the byte
            if (seen == old) return true;
            old = seen;
        }
        return false;
    }

    /// <summary>(*,Pending,0) -> (*,0,Locked) with one 16-bit CAS, only when the locked byte reads 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryLockClearPending(ref int word)
    {
        if (Atomic.LoadRelaxed(ref LockWord.LockedByte(ref word)) != 0) return false; // a peek: the CAS decides
        return Atomic.CompareExchange(ref LockWord.LockedPending(ref word), (ushort)LockWord.Locked, (ushort)LockWord.Pending) == LockWord.Pending; // pairs with ExitParavirt's release store
    }

    /// <summary>
    /// The paravirt unlock's slow path: after its release store it read Parked. Claim the bit (another
    /// unlock, or the head taking it back, may get there first: then there is nothing to do), take the
    /// record and kick the head it names.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void KickParked(ref int word)
    {
        if (!TryClearPendingByteBits(ref word, LockWord.ParkedBit)) return; // atomic with the head's take-back and other unlocks' claims
        int head = THeads.Take(ref word); // our claim read the release of Parked (or a later write of the byte): the record made before it is visible
        if (Seeded.UnlockSkipsKick) return;
        if (head != 0) KickHead(head); // 0: the head re-recorded and took it back meanwhile; it is running
    }

    /// <summary>The seeded bug <see cref="Mutant.PvTakeBeforeClaim"/>: the record is taken before the release and the claim, and a head that records itself in between is never kicked.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void UnlockTakingFirst(ref int word)
    {
        int head = THeads.Take(ref word);
        Atomic.StoreRelease(ref LockWord.LockedByte(ref word), 0);
        if ((Atomic.LoadRelaxed(ref LockWord.PendingByte(ref word)) & LockWord.ParkedBit) == 0) return;
        if (!TryClearPendingByteBits(ref word, LockWord.ParkedBit)) return;
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
