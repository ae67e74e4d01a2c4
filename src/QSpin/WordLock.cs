using System.Runtime.CompilerServices;
using QSpin.Platform;

namespace QSpin;

/// <summary>
/// The lock's operations on a 32-bit lock word, wherever the word lives: the fast paths, the one
/// contended funnel, and each mode's unlock, as the kernel patches them in. <see cref="QSpinLock"/>
/// (its word in an object, its parked head in the next field) and <see cref="QSpinLockArray"/> (its
/// words in pinned memory, parked heads in a hash table keyed by the word's address) are thin shells
/// over this class; <typeparamref name="THeads"/> is the one thing in which they differ.
/// </summary>
/// <typeparam name="THeads">Where a paravirt lock records its parked queue head (<see cref="IParkedHeads"/>).</typeparam>
internal static class WordLock<THeads> where THeads : struct, IParkedHeads
{
    /// <summary>
    /// The one atomic of an uncontended acquisition; returns 0 when it took the lock, else a non-zero
    /// lock word for the slow path. Native and test-and-set: CAS the whole word 0 -> Locked.
    /// Paravirt: CAS only locked+pending (0,0) -> (0,1), whatever the tail: the kernel's hybrid unfair
    /// trylock, tried first instead of after a failed whole-word CAS, so that taking the lock past a
    /// queue costs one atomic, not two. Pending set (the head is spinning) stops it, and so does Parked
    /// (a head is parked, until the unlock claims the bit): then the slow path's steal takes the lock.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FastPath(ref int word, QSpinMode mode)
    {
        int seen;
        if (mode == QSpinMode.Paravirt)
        {
            ushort low = Atomic.CompareExchange(ref LockWord.LockedPending(ref word), (ushort)LockWord.Locked, 0); // pairs with the release in Exit
            seen = low == 0 ? 0 : low | LockWord.TailMask; // non-zero: the slow path ignores the value in pv mode
        }
        else
        {
            seen = Atomic.CompareExchange(ref word, LockWord.Locked, 0); // pairs with the release in Exit
        }
        LockEvents.IncIf(LockEvent.Fastpath, seen == 0);
        return seen;
    }

    /// <summary>Takes the lock only if it is free and nobody waits for it; never waits or queues.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryEnter(ref int word)
    {
        bool taken = Atomic.LoadRelaxed(ref word) == 0 // a peek: does not take the line exclusive when busy
            && Atomic.CompareExchange(ref word, LockWord.Locked, 0) == 0; // pairs with the release in Exit
        LockEvents.IncIf(LockEvent.Fastpath, taken);
        return taken;
    }

    /// <summary>
    /// The one contended funnel of every entry point: the mode's slow path, the contention events, and
    /// what a park left behind (<see cref="DeferredFailure"/>). False only when <paramref name="wait"/>
    /// gave up. <paramref name="owner"/> and <paramref name="index"/> name the lock in events only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool EnterContended<TWait>(ref int word, QSpinMode mode, int seen, ref TWait wait, object owner, int index) where TWait : struct, IWaitPolicy
    {
        long contentionStart = QSpinEventSource.Log.IsEnabled() ? QSpinEventSource.Start(owner, index) : 0;
        bool acquired;
        if (mode == QSpinMode.Native) acquired = NativeSlowPath.Lock(ref word, seen, ref wait);
        else if (mode == QSpinMode.Paravirt) acquired = ParavirtSlowPath<THeads>.TrySteal(ref word, ref wait) || QueuedSlowPath.Lock<ParavirtQueue<THeads>, TWait>(ref word, ref wait); // steal first: a node is only taken to queue
        else acquired = TestAndSetPath.Lock(ref word, ref wait);
        if (contentionStart != 0) QSpinEventSource.Stop(contentionStart);
        // Only paravirt waiters park, so only they can have caught a failure while parked.
        if (mode == QSpinMode.Paravirt && DeferredFailure.Pending) DeferredFailure.Raise<THeads>(ref word, mode, acquired);
        return acquired;
    }

    /// <summary>Acquires the lock as <paramref name="mode"/> does, waiting as long as necessary; returns true.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool EnterAs(ref int word, QSpinMode mode, object owner, int index)
    {
        var forever = new Forever();
        int seen = FastPath(ref word, mode);
        return seen == 0 || EnterContended(ref word, mode, seen, ref forever, owner, index);
    }

    /// <summary>Acquires the lock as <paramref name="mode"/> does, unless <paramref name="limit"/> passes first (false).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool EnterAs(ref int word, QSpinMode mode, Until limit, object owner, int index)
    {
        int seen = FastPath(ref word, mode);
        return seen == 0 || EnterContended(ref word, mode, seen, ref limit, owner, index);
    }

    /// <summary>Releases the lock as <paramref name="mode"/> does: each mode's unlock, as the kernel patches it in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ExitAs(ref int word, QSpinMode mode)
    {
        if (mode == QSpinMode.Native) ExitNative(ref word);
        else if (mode == QSpinMode.Paravirt) ExitParavirt(ref word);
        else ExitTestAndSet(ref word);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ExitNative(ref int word)
    {
        if (Seeded.UnlockStoresWholeWord) { Atomic.StoreRelease(ref word, 0); return; }
        Atomic.StoreRelease(ref LockWord.LockedByte(ref word), 0); // pairs with the next owner's CAS or spin
    }

    /// <summary>The paravirt unlock without an atomic (<see cref="QSpinLock.ExitParavirt"/> explains it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ExitParavirt(ref int word)
    {
        if (Seeded.TakesBeforeClaim) { ParavirtSlowPath<THeads>.UnlockTakingFirst(ref word); return; }
        Atomic.StoreRelease(ref LockWord.LockedByte(ref word), 0); // pairs with the next owner's CAS
        if (!ProcessBarrier.IsReliable) Atomic.FullFence(); // folded away where the parking head's process-wide barrier does the job
        if ((Atomic.LoadRelaxed(ref LockWord.PendingByte(ref word)) & LockWord.ParkedBit) != 0) // after the store in program order, with no fence: the parking head's process-wide barrier orders the pair
            ParavirtSlowPath<THeads>.KickParked(ref word);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ExitTestAndSet(ref int word)
    {
        // No tail or pending bits exist in this mode, so the whole word is stored: a byte store
        // followed by the next whole-word CAS would stall store-to-load forwarding.
        Atomic.StoreRelease(ref word, 0); // pairs with the CAS in Enter/TestAndSetPath
    }
}
