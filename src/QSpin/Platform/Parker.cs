namespace QSpin.Platform;

/// <summary>
/// pv_wait/pv_kick for threads. Each thread slot owns one parking word in native memory; a kick
/// leaves a permit there and wakes the word, a park consumes a permit or sleeps until one arrives.
/// Callers check their own wait condition (for example "the locked byte is still Slow") before
/// parking, and kickers change that condition before kicking; the permit closes the window between
/// the check and the sleep, so no wake-up is lost. A stale kick (the waiter already left) is only a
/// spurious wake-up later, which every waiter tolerates, just as a kick of a running vCPU is in the
/// kernel. Sleeping on the slot's word rather than on the lock word matters in .NET: the lock word is
/// in a GC object that may move while a thread sleeps on it.
/// </summary>
internal static unsafe class Parker
{
    /// <summary>
    /// Sleeps until kicked, or for at most <paramref name="timeoutNanoseconds"/> (-1: no limit); returns
    /// at once if a kick is pending. May return spuriously. Never throws: a failure of the platform
    /// wait is kept in <see cref="DeferredFailure"/> and counts as a spurious return.
    /// </summary>
    public static void Park(int slot, long timeoutNanoseconds)
    {
        int* word = QNodes.ParkWord(slot);
        TestHooks.Interleave();
        if (Interlocked.Exchange(ref *word, 0) != 0) return; // full: consumes a permit; pairs with Kick's exchange
        if (timeoutNanoseconds == 0) return;
        try
        {
            WaitOnAddress.Wait(word, 0, timeoutNanoseconds);
        }
        catch (Exception e)
        {
            // A parked waiter's node is in a queue: it must not leave by an exception. Kept for the
            // end of the acquisition (DeferredFailure); here it is a spurious wake-up.
            DeferredFailure.Record(e);
        }
        TestHooks.Interleave();
        Interlocked.Exchange(ref *word, 0); // full: consumes the permit that woke us (if any)
        if (LockEvents.Enabled) CountWake(slot);
    }

    // pv_kick_wake / pv_latency_wake: time from the kicker's stamp to this thread running again.
    private static void CountWake(int slot)
    {
        long kicked = Interlocked.Exchange(ref *QNodes.KickTime(slot), 0); // full: pairs with Kick's stamp
        if (kicked == 0) return;
        LockEvents.Inc(LockEvent.PvKickWake);
        LockEvents.Add(LockEvent.PvLatencyWake, LockEvents.NanosecondsSince(kicked));
    }

    /// <summary>Leaves a permit for the slot's thread and wakes it if it sleeps.</summary>
    public static void Kick(int slot)
    {
        int* word = QNodes.ParkWord(slot);
        if (LockEvents.Enabled) Volatile.Write(ref *QNodes.KickTime(slot), System.Diagnostics.Stopwatch.GetTimestamp()); // release: statistics stamp, read by the woken thread
        TestHooks.Interleave();
        Interlocked.Exchange(ref *word, 1); // full: orders the caller's release before the permit; pairs with Park's exchange
        WaitOnAddress.WakeOne(word);
    }
}
