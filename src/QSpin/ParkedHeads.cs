using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// Where a paravirt lock records its parked queue head, so that the unlock that finds Slow in the
/// locked byte knows whom to kick (the kernel's pv_hash / pv_unhash). The record is a tail encoding
/// (0: none). Every implementation keeps the kernel's invariant: the head is recorded before Slow
/// becomes visible, and the unlocker reads the record after it read Slow.
/// </summary>
internal interface IParkedHeads
{
    /// <summary>Records <paramref name="tail"/> as the lock's parked head; needs no ordering of its own: the caller's later release store or exchange of Slow orders it before Slow.</summary>
    static abstract void Record(ref int word, int tail);

    /// <summary>The lock's owner erases its own record (it took the lock after all); only its own unlock could read it.</summary>
    static abstract void Erase(ref int word);

    /// <summary>A head that gave up takes back its record, only if it is still <paramref name="tail"/>.</summary>
    static abstract void Withdraw(ref int word, int tail);

    /// <summary>
    /// A head leaves the slow path (it took the lock, or gave up) and may have left a record that no
    /// unlock took (a late re-check kicks without taking): drop it if it is still <paramref name="tail"/>.
    /// A field may keep it (the next record overwrites it, and a stray kick is only a spurious wake-up);
    /// a shared table must not, or records of locks nobody waits for would fill it.
    /// </summary>
    static abstract void Forget(ref int word, int tail);

    /// <summary>The unlocker's take of the record (0 if none), after it read Slow: atomic with Withdraw and Record; the unlock's exchange of the locked byte that follows orders it before the release.</summary>
    static abstract int Take(ref int word);

    /// <summary>The unlocker's acquire re-read, after it released the lock, for a head that recorded itself meanwhile.</summary>
    static abstract int Peek(ref int word);
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
        Atomic.StoreRelaxed(ref Field(ref word), tail); // the caller orders it before Slow; read by Take after the unlocker read Slow
        LockEvents.Inc(LockEvent.PvHashHops); // one probe: the lock itself names its parked head
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Erase(ref int word) => Atomic.StoreRelaxed(ref Field(ref word), 0); // only our own unlock reads it, and we own the lock

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Withdraw(ref int word, int tail) => Atomic.CompareExchange(ref Field(ref word), 0, tail); // clear only our own registration; atomic with Take

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forget(ref int word, int tail) { } // the next record overwrites it

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Take(ref int word) => Atomic.Exchange(ref Field(ref word), 0); // pairs with the head's record before its exchange of Slow

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Peek(ref int word) => Atomic.LoadAcquire(ref Field(ref word)); // ordered after the unlocker's exchange of the locked byte (design.md, "Store->load handshakes")
}
