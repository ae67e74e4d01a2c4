using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>Selects the native or paravirt flavour of <see cref="QueuedSlowPath.Lock{TVariant}"/> at JIT time.</summary>
internal interface IQueueVariant
{
    /// <summary>A constant per implementing struct, so each instantiation compiles only its own branches.</summary>
    static abstract bool IsParavirt { get; }
}

/// <summary>
/// The MCS queue shared by the native and paravirt locks. The kernel compiles its slow path twice,
/// once with the pv hooks empty; here the JIT does the same by specialising this generic method for
/// each <see cref="IQueueVariant"/> struct.
/// </summary>
internal static unsafe class QueuedSlowPath
{
    public static void Lock<TVariant>(QSpinLock lck) where TVariant : struct, IQueueVariant
    {
        ref int word = ref lck.Word;

        ThreadNodes? tn = QNodes.Current();
        if (tn is null || tn.Depth >= LockWord.NodesPerThread)
        {
            LockWithoutNode<TVariant>(lck);
            return;
        }

        int index = tn.Depth++;
        LockEvents.IncIf(LockEvent.LockUseNode2 + index - 1, index > 0);
        QNode* node = QNodes.NodeOf(tn.Slot, index);
        int tail = node->Tail;

        // Initialise our node; the tail exchange below publishes it.
        node->Locked = 0;
        node->Next = 0;
        if (TVariant.IsParavirt) node->State = PvState.Running;

        // We touched a possibly cold node; the lock may have come free meanwhile. In paravirt mode
        // this is where arrivals steal the lock while the queue head is parked.
        if (TVariant.IsParavirt ? ParavirtSlowPath.TrySteal(lck) : TryLockWhole(ref word))
        {
            tn.Depth--;
            return;
        }

        // Publish our node as the new tail: p,*,* -> n,*,*. The exchange is a full fence in .NET,
        // which also orders the node initialisation before it (the kernel's smp_wmb()).
        TestHooks.Interleave();
        int old = Interlocked.Exchange(ref LockWord.Tail(ref word), (ushort)((uint)tail >> LockWord.TailOffset)) << LockWord.TailOffset; // full: pairs with the predecessor's decode of our tail and the head's claim CAS

        QNode* next = null;
        if (old != 0)
        {
            // There was a predecessor: link behind it and wait for the baton.
            QNode* prev = QNodes.Decode(old);
            TestHooks.Interleave();
            Volatile.Write(ref prev->Next, (nint)node); // release: our initialised node before the link; pairs with prev's read of Next

            if (TVariant.IsParavirt) ParavirtSlowPath.WaitNode(node, prev, tn.Slot);

            int spins = 0;
            while (true)
            {
                TestHooks.Interleave();
                if (Volatile.Read(ref node->Locked) != 0) break; // acquire: pairs with the predecessor's release of the baton
                Spin.PauseUnbounded(ref spins);
            }

            // A successor may have linked itself while we waited; pick it up now.
            TestHooks.Interleave();
            next = (QNode*)Volatile.Read(ref node->Next); // acquire: pairs with the successor's release of the link
        }

        // We are the queue head: wait for the owner and any pending waiter to go, *,x,y -> *,0,0.
        int val;
        if (TVariant.IsParavirt)
        {
            val = ParavirtSlowPath.WaitHeadOrLock(lck, node, tn.Slot); // returns owning the lock
        }
        else
        {
            int spins = 0;
            while (true)
            {
                TestHooks.Interleave();
                val = Volatile.Read(ref word); // acquire: pairs with the owner's release store and the pending waiter's hand-over
                if ((val & LockWord.LockedPendingMask) == 0) break;
                Spin.PauseUnbounded(ref spins);
            }
        }

        // Claim the lock. If we are still the tail, nobody queued behind us: n,0,0 -> 0,0,1.
        if ((val & LockWord.TailMask) == tail && !TestHooks.Is(Mutant.ClaimWithoutTailCheck))
        {
            TestHooks.Interleave();
            int newVal = (val & ~LockWord.TailMask) | LockWord.Locked;
            if (Interlocked.CompareExchange(ref word, newVal, val) == val) // full (relaxed in the kernel): clears our tail; pairs with the next arrival's tail exchange
            {
                tn.Depth--;
                return;
            }
        }

        // Someone queued behind us (or set pending for a moment, saw the tail and is queueing):
        // *,*,0 -> *,*,1. Only the queue head may set the locked byte while a tail exists.
        if (!TVariant.IsParavirt)
        {
            TestHooks.Interleave();
            Volatile.Write(ref LockWord.LockedByte(ref word), LockWord.Locked); // plain byte store: nobody else can take a queued lock
        }

        // Hand the MCS baton to our successor, waiting for it to link itself if it has not yet.
        if (next is null && !TestHooks.Is(Mutant.HandoffBeforeLink))
        {
            int spins = 0;
            while (true)
            {
                TestHooks.Interleave();
                next = (QNode*)Volatile.Read(ref node->Next); // acquire: pairs with the successor's release of the link
                if (next is not null) break;
                Spin.PauseUnbounded(ref spins);
            }
        }

        if (next is not null)
        {
            TestHooks.Interleave();
            Volatile.Write(ref next->Locked, 1); // release: everything we did happens-before the new head; pairs with its acquire spin
            if (TVariant.IsParavirt) ParavirtSlowPath.KickNode(lck, next);
        }
        tn.Depth--;
    }

    /// <summary>Whole-word trylock: only a free, uncontended lock; never jumps a queue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryLockWhole(ref int word)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref word) == 0 // relaxed peek
            && Interlocked.CompareExchange(ref word, LockWord.Locked, 0) == 0; // acquire (full fence): pairs with the release in Exit
    }

    /// <summary>
    /// No node to queue with (more than 16,383 queueing threads alive, or nodes nested 4 deep):
    /// spin on a trylock outside the queue, as the kernel does (lock_no_node). Correct, not fair.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LockWithoutNode<TVariant>(QSpinLock lck) where TVariant : struct, IQueueVariant
    {
        Interlocked.Increment(ref QNodes.NoNodeCount); // diagnostics counter, rare path
        LockEvents.Inc(LockEvent.LockNoNode);
        ref int word = ref lck.Word;
        SpinWait backoff = default;
        while (!(TVariant.IsParavirt ? ParavirtSlowPath.TryStealOnce(ref word) : TryLockWhole(ref word)))
        {
            if (TestHooks.Enabled) Spin.Pause();
            else backoff.SpinOnce(sleep1Threshold: -1);
        }
    }
}
