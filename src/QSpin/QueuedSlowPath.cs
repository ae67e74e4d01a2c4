using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// The MCS queue shared by every queued lock: it names no variant's code and calls the variant's hooks
/// (<see cref="IQueueVariant"/>) where the kernel calls its pv hooks. The JIT specialises these generic
/// methods for each variant struct, and again for untimed and timed waits (<see cref="IWaitPolicy"/>).
/// It works on a reference to the 32-bit lock word, wherever that lives.
/// </summary>
/// <remarks>
/// Abortable queueing (timed and cancellable waits), after Scott and Scherer: a waiter that gives up
/// before it is handed the baton CASes its node Waiting -> Abandoned and leaves; the node stays linked
/// and the hand-over skips it later (removing it from the tail if it was last), then marks it Reclaimed
/// so that its thread may use it again. A queue head that gives up leaves the tail if it is still the
/// tail, else passes the head role on like a hand-over. Waiters behind keep their order.
/// </remarks>
internal static unsafe class QueuedSlowPath
{
    /// <summary>Waits in the queue; returns true owning the lock, false if <paramref name="wait"/> gave up.</summary>
    public static bool Lock<TVariant, TWait>(ref int word, ref TWait wait)
        where TVariant : struct, IQueueVariant
        where TWait : struct, IWaitPolicy
    {
        ThreadNodes? tn = ThreadSlots.Current();
        int index = tn is null ? -1 : tn.TakeNode();
        if (index < 0) return LockWithoutNode<TVariant, TWait>(ref word, ref wait);

        LockEvents.IncIf(LockEvent.LockUseNode2 + index - 1, index > 0);
        QNode* node = ThreadSlots.NodeOf(tn!.Slot, index);
        int tail = node->Tail;

        // Initialise our node; the tail exchange below publishes it.
        node->Locked = Baton.Waiting;
        node->Next = 0;
        node->MayAbort = TWait.CanGiveUp ? 1 : 0;
        TVariant.InitNode(node);

        // We touched a possibly cold node; the lock may have come free meanwhile (paravirt: one more
        // steal attempt; its bounded stealing ran before the node was taken, WordLock.EnterContended).
        if (TVariant.TryLockBeforeQueueing(ref word, ref wait))
        {
            tn.ReleaseNode(index);
            return true;
        }

        // This acquisition waits in the queue (in both modes; the kernel's pv build counts it in
        // pv_wait_head_or_lock, after its steals, which is where this count sits for pv too).
        LockEvents.Inc(LockEvent.LockSlowpath);

        // Nothing may throw once the node is published (DeferredFailure): a thread's first counted
        // event allocates its counters, so do that now.
        LockEvents.Prepare();

        using CancellationTokenRegistration cancelKick = TVariant.WakeOnCancel(ref wait, tn.Slot);

        // Publish our node as the new tail: p,*,* -> n,*,*. The exchange is a full fence in .NET,
        // which also orders the node initialisation before it (the kernel's smp_wmb()); its read keeps
        // our later 32-bit reads of the word from seeing locked/pending older than the tail it
        // replaced (design.md, "Mixed sizes").
        int old = Atomic.Exchange(ref LockWord.Tail(ref word), (ushort)((uint)tail >> LockWord.TailOffset)) << LockWord.TailOffset; // pairs with the successor's decode of our tail and the head's claim CAS

        QNode* next = null;
        if (old != 0)
        {
            // There was a predecessor: link behind it and wait for the baton.
            QNode* prev = ThreadSlots.Decode(old);
            Atomic.StoreRelease(&prev->Next, (nint)node); // our initialised node before the link; pairs with prev's read of Next

            bool gaveUp = !TVariant.WaitNode(node, prev, tn.Slot, ref wait);

            int spins = 0;
            while (!gaveUp)
            {
                if (Atomic.LoadAcquire(&node->Locked) != Baton.Waiting) break; // pairs with the predecessor's hand-over of the baton
                if (TWait.CanGiveUp && (spins & Spin.GiveUpCheckMask) == 0 && wait.ShouldGiveUp()) gaveUp = true;
                else Spin.PauseUnbounded(ref spins);
            }

            if (TWait.CanGiveUp && gaveUp)
            {
                // Leave our place unless the baton arrived meanwhile (then we are the head).
                if (Atomic.CompareExchange(&node->Locked, Baton.Abandoned, Baton.Waiting) == Baton.Waiting) // pairs with the predecessor's hand-over CAS; failing, it read the baton
                {
                    TVariant.OnAbandoned(node);
                    tn.ReleaseNode(index);
                    return false;
                }
            }

            // A successor may have linked itself while we waited; pick it up now.
            next = (QNode*)Atomic.LoadAcquire(&node->Next); // pairs with the successor's store of the link
        }

        // We are the queue head: wait for the owner and any pending waiter to go, *,x,y -> *,0,0 (or
        // let the variant take the lock), then claim it. The loop runs again only when a claim that
        // did not hold the lock lost to a pending flicker.
        int val;
        bool holding;
        while (true)
        {
            HeadWait how = TVariant.WaitHeadOrLock(ref word, node, tn.Slot, ref wait, out val);
            if (how == HeadWait.Spin && !WaitForLockedAndPendingClear(ref word, ref wait, out val)) how = HeadWait.GaveUp;
            if (how == HeadWait.GaveUp)
            {
                AbortHead<TVariant>(ref word, node, tail, next);
                tn.ReleaseNode(index);
                return false;
            }
            holding = how == HeadWait.Locked;

            // Claim the lock. If we are still the tail, nobody queued behind us: n,0,0 -> 0,0,1.
            bool waitAgain = false;
            while ((val & LockWord.TailMask) == tail && !Seeded.ClaimsWithoutTailCheck)
            {
                int newVal = (val & ~LockWord.TailMask) | LockWord.Locked;
                int seen = Atomic.CompareExchange(ref word, newVal, val); // clears our tail (the kernel's is relaxed); pairs with the next arrival's tail exchange; failing, it read what the re-check below needs
                if (seen == val)
                {
                    tn.ReleaseNode(index);
                    return true;
                }

                // The kernel reads a failed claim as "someone queued behind us, or set pending, saw our
                // tail and is about to queue", so that a successor is sure to link. Here only a changed
                // tail means that: a contender without a node (registry full, or all four of its nodes
                // abandoned) sets pending, sees the tail, clears pending and spins outside the queue,
                // and nobody would ever link behind us. So if the tail is still ours: holding the lock
                // (only the head sets pending then), retry the claim on the word as it is now; else
                // wait for (n,0,0) again and retry.
                if (Seeded.TrustsFailedClaim) break;
                if (!holding)
                {
                    waitAgain = (seen & LockWord.TailMask) == tail;
                    break;
                }
                val = seen;
            }
            if (!waitAgain) break;
        }

        // Someone swapped itself into the tail behind us, so it has a node and will link:
        // *,*,0 -> *,*,1. Only the queue head may set the locked byte while a tail exists.
        if (!holding) Atomic.StoreRelaxed(ref LockWord.LockedByte(ref word), LockWord.Locked); // nobody else can take a queued lock; our wait for (*,0,0) was the acquire

        PassBaton<TVariant>(ref word, node, next, holdingLock: true);
        tn.ReleaseNode(index);
        return true;
    }

    /// <summary>The head's wait for the owner and any pending waiter to go; false if <paramref name="wait"/> gave up.</summary>
    private static bool WaitForLockedAndPendingClear<TWait>(ref int word, ref TWait wait, out int val) where TWait : struct, IWaitPolicy
    {
        int spins = 0;
        while (true)
        {
            val = Atomic.LoadAcquire(ref word); // pairs with the owner's unlock and the pending waiter's hand-over
            if ((val & LockWord.LockedPendingMask) == 0) return true;
            if (TWait.CanGiveUp && (spins & Spin.GiveUpCheckMask) == 0 && wait.ShouldGiveUp()) return false;
            Spin.PauseUnbounded(ref spins);
        }
    }

    /// <summary>
    /// Makes the first live waiter after <paramref name="node"/> the queue head. Abandoned waiters are
    /// skipped (and an abandoned tail is taken out of the queue), each then marked Reclaimed. With the
    /// lock held (a normal hand-over) a parked successor is left parked and registered for our unlock
    /// (pv_kick_node); without it (a head that gave up) a parked successor is woken now.
    /// </summary>
    private static void PassBaton<TVariant>(ref int word, QNode* node, QNode* next, bool holdingLock)
        where TVariant : struct, IQueueVariant
    {
        // Wait for our successor to link itself, if it has not yet.
        if (next is null && !Seeded.HandsOverBeforeLink) next = WaitForLink(node);
        if (next is null) return; // only under the HandoffBeforeLink mutant

        while (true)
        {
            if (Atomic.LoadRelaxed(&next->MayAbort) == 0 || Seeded.HandsOverToAbandoned) // written before the node was published; our read of the link ordered it
            {
                Atomic.StoreRelease(&next->Locked, Baton.Handed); // everything we did happens-before the new head; pairs with its spin on the baton
                break;
            }
            if (Atomic.CompareExchange(&next->Locked, Baton.Handed, Baton.Waiting) == Baton.Waiting) // pairs with the waiter's abandon CAS and its spin on the baton; failing, it read Abandoned
                break;

            // `next` gave up. If it is the tail, take it out of the queue and we are done; otherwise
            // wait for the one queued behind it, and the abandoned node is out of the queue.
            QNode* abandoned = next;
            if (TryLeaveTail(ref word, abandoned->Tail))
            {
                Reclaim(abandoned);
                return;
            }
            next = WaitForLink(abandoned);
            Reclaim(abandoned);
        }

        if (holdingLock) TVariant.HandedOverHolding(ref word, next);
        else TVariant.HandedOverNotHolding(next);
    }

    /// <summary>Waits until the waiter that swapped itself in behind <paramref name="node"/> has linked itself.</summary>
    /// <remarks>Out of line: a rare spin whose back-off (<see cref="Thread.Yield"/>) would put a P/Invoke frame into every hand-over.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static QNode* WaitForLink(QNode* node)
    {
        int spins = 0;
        while (true)
        {
            QNode* next = (QNode*)Atomic.LoadAcquire(&node->Next); // pairs with the successor's store of the link
            if (next is not null) return next;
            Spin.PauseUnbounded(ref spins);
        }
    }

    /// <summary>
    /// If <paramref name="tail"/> is still the queue's tail, empties the queue (keeping locked and
    /// pending) and returns true; false once someone has queued behind it.
    /// </summary>
    private static bool TryLeaveTail(ref int word, int tail)
    {
        while (true)
        {
            int val = Atomic.LoadRelaxed(ref word); // a peek at the tail: the CAS decides
            if ((val & LockWord.TailMask) != tail) return false;
            if (Atomic.CompareExchange(ref word, val & ~LockWord.TailMask, val) == val) // empties the queue; pairs with the next arrival's tail exchange
                return true;
        }
    }

    /// <summary>An abandoned node that a hand-over skipped: its thread may use it again.</summary>
    private static void Reclaim(QNode* abandoned)
    {
        Atomic.StoreRelease(&abandoned->Locked, Baton.Reclaimed); // after we read its Next; pairs with its thread's TakeNode
    }

    /// <summary>
    /// The queue head gives up: leave the tail if we are still the tail, else pass the head role to the
    /// next live waiter, as a hand-over does but without the lock.
    /// </summary>
    private static void AbortHead<TVariant>(ref int word, QNode* node, int tail, QNode* next)
        where TVariant : struct, IQueueVariant
    {
        if (Seeded.HeadLeavesWithoutHandOver) return;
        if (TryLeaveTail(ref word, tail)) return;
        PassBaton<TVariant>(ref word, node, next, holdingLock: false);
    }

    /// <summary>Whole-word trylock: only a free, uncontended lock; never jumps a queue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryLockWhole(ref int word)
    {
        return Atomic.LoadRelaxed(ref word) == 0 // a peek: the CAS decides
            && Atomic.CompareExchange(ref word, LockWord.Locked, 0) == 0; // pairs with the release in Exit
    }

    /// <summary>
    /// No node to queue with (more than 16,383 queueing threads alive, or all four of the thread's
    /// nodes busy): spin on a trylock outside the queue, as the kernel does (lock_no_node). Correct,
    /// not fair.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool LockWithoutNode<TVariant, TWait>(ref int word, ref TWait wait)
        where TVariant : struct, IQueueVariant
        where TWait : struct, IWaitPolicy
    {
        Atomic.Increment(ref ThreadSlots.NoNodeCount); // a diagnostics counter on a rare path: pairs with nothing
        LockEvents.Inc(LockEvent.LockSlowpath); // as in the kernel's native build: it had decided to queue
        LockEvents.Inc(LockEvent.LockNoNode);
        SpinWait backoff = default;
        while (!TVariant.TryLockWithoutNode(ref word))
        {
            if (TWait.CanGiveUp && wait.ShouldGiveUp()) return false;
            if (TestHooks.Enabled) Spin.Pause();
            else backoff.SpinOnce(sleep1Threshold: -1);
        }
        return true;
    }
}
