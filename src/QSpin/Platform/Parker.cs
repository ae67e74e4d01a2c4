namespace QSpin.Platform;

/// <summary>
/// Park and kick through a parking word: a kick leaves a permit in the word and wakes it, a park
/// consumes a permit or sleeps until one arrives. It knows nothing of locks or queues (each QSpin
/// thread slot owns one parking word in native memory: <see cref="SlotParking"/>).
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
    /// Sleeps until kicked through <paramref name="word"/>, or for at most
    /// <paramref name="timeoutNanoseconds"/> (-1: no limit); returns at once if a kick is pending. May
    /// return spuriously. A failure of the platform wait (an interrupt in the monitor fallback) is
    /// thrown; a permit may then be left in the word, which only makes a later park return at once.
    /// </summary>
    /// <param name="word">A parking word in memory the GC never moves, used by one sleeper at a time.</param>
    /// <param name="timeoutNanoseconds">The longest sleep; -1 for no limit, 0 to only consume a pending kick.</param>
    public static void Park(int* word, long timeoutNanoseconds)
    {
        if (Atomic.Exchange(word, 0) != 0) return; // consumes a permit; pairs with Kick's exchange
        if (timeoutNanoseconds == 0) return;
        WaitOnAddress.Wait(word, 0, timeoutNanoseconds);
        Atomic.Exchange(word, 0); // consumes the permit that woke us (if any); pairs with Kick's exchange
    }

    /// <summary>Leaves a permit in <paramref name="word"/> and wakes its sleeper, if any.</summary>
    public static void Kick(int* word)
    {
        Atomic.Exchange(word, 1); // after the caller changed the waiter's condition; pairs with Park's exchange
        WaitOnAddress.WakeOne(word);
    }
}
