using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// Where a paravirt lock records its parked queue head, so that the unlock that claims the Parked bit
/// knows whom to kick (the kernel's pv_hash / pv_unhash). The record is a tail encoding (0: none).
/// Every implementation keeps the kernel's invariant: the head is recorded before Parked becomes
/// visible, and the unlocker reads the record after its claim of Parked read it.
/// </summary>
internal interface IParkedHeads
{
    /// <summary>Records <paramref name="tail"/> as the lock's parked head; needs no ordering of its own: the caller's later CAS of Parked orders it before Parked.</summary>
    static abstract void Record(ref int word, int tail);

    /// <summary>A head that took its Parked bit back takes back its record, only if it is still <paramref name="tail"/>.</summary>
    static abstract void Withdraw(ref int word, int tail);

    /// <summary>The unlocker's take of the record (0 if none), after its claim of Parked: atomic with Withdraw and Record.</summary>
    static abstract int Take(ref int word);
}

/// <summary>
/// The record is the 32-bit field right after the lock word (<see cref="QSpinLock.PvHead"/>): one
/// slot per lock and no probing, where the kernel hashes the lock's address (<see cref="HashedHeads"/>,
/// for locks without such a field).
/// </summary>
internal readonly struct NextWordHead : IParkedHeads
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref int Field(ref int word) => ref Unsafe.Add(ref word, 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Record(ref int word, int tail)
    {
        Atomic.StoreRelaxed(ref Field(ref word), tail); // the caller orders it before Parked; read by Take after the unlocker claimed Parked
        LockEvents.Inc(LockEvent.PvHashHops); // one probe: the lock itself names its parked head
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Withdraw(ref int word, int tail) => Atomic.CompareExchange(ref Field(ref word), 0, tail); // clear only our own registration; atomic with Take

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Take(ref int word) => Atomic.Exchange(ref Field(ref word), 0); // pairs with the record made before Parked, which the caller's claim read
}
