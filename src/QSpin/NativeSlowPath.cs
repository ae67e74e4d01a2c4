using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// The native contended path: the bounded wait for a pending hand-over, the pending bit for the
/// second contender, and otherwise the MCS queue (<see cref="QueuedSlowPath"/>). A state is written
/// (tail, pending, locked).
/// </summary>
internal static class NativeSlowPath
{
    /// <summary>
    /// Acquires the lock whose word is <paramref name="word"/> after the fast-path CAS failed having
    /// seen <paramref name="val"/>; false if <paramref name="wait"/> gave up first.
    /// </summary>
    public static bool Lock<TWait>(ref int word, int val, ref TWait wait) where TWait : struct, IWaitPolicy
    {
        // (0,1,0): a pending waiter is taking the lock right now; give it a bounded number of re-reads.
        if (val == LockWord.Pending)
        {
            for (int cnt = Spin.PendingLoops; cnt > 0; cnt--)
            {
                val = Atomic.LoadRelaxed(ref word); // a re-read: the fetch_or or the queue below decides
                if (val != LockWord.Pending) break;
                Spin.Pause();
            }
        }

        // Anything besides the locked byte (pending or a queue): take a place in the queue.
        if ((val & ~LockWord.LockedMask) != 0) return QueuedSlowPath.Lock<NativeQueue, TWait>(ref word, ref wait);

        // (0,0,*) -> (0,1,*): try to become the one pending waiter.
        val = Atomic.Or(ref word, LockWord.Pending); // pairs with the owner's release in Exit

        if ((val & ~LockWord.LockedMask) != 0)
        {
            // Someone else became pending or queued meanwhile. Undo our pending bit, but only if we
            // set it (the old value had it clear), then queue.
            if ((val & LockWord.PendingMask) == 0 && !Seeded.KeepsLostPendingBit)
                Atomic.StoreRelaxed(ref LockWord.PendingByte(ref word), 0); // we own the pending bit
            return QueuedSlowPath.Lock<NativeQueue, TWait>(ref word, ref wait);
        }

        // We are pending: (*,1,1) -> (*,1,0). Wait for the owner to go.
        if ((val & LockWord.LockedMask) != 0)
        {
            int spins = 0;
            while (true)
            {
                if (Atomic.LoadAcquire(ref LockWord.LockedByte(ref word)) == 0) break; // pairs with the owner's unlock
                if (TWait.CanGiveUp && (spins & Spin.GiveUpCheckMask) == 0 && wait.ShouldGiveUp())
                {
                    // We own the pending bit and nobody else clears it: drop it and leave.
                    Atomic.StoreRelaxed(ref LockWord.PendingByte(ref word), 0); // we own the pending bit and leave without the lock
                    return false;
                }
                Spin.PauseUnbounded(ref spins);
            }
        }

        // (*,1,0) -> (*,0,1): take the lock and drop pending with one 16-bit store. Nobody else can
        // take a lock whose pending bit is set, and the tail half is not touched.
        Atomic.StoreRelease(ref LockWord.LockedPending(ref word), (ushort)LockWord.Locked); // pairs with the head's read of the word (the kernel's is relaxed)
        LockEvents.Inc(LockEvent.LockPending);
        return true;
    }
}
