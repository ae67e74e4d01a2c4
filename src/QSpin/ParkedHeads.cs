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
    /// <summary>Records <paramref name="tail"/> as the lock's parked head; a release store, ordered before Slow by the caller's later store or exchange of the locked byte.</summary>
    static abstract void Record(ref int word, int tail);

    /// <summary>The lock's owner erases its own record (it took the lock after all); only its own unlock could read it.</summary>
    static abstract void Erase(ref int word);

    /// <summary>A head that gave up takes back its record, only if it is still <paramref name="tail"/>.</summary>
    static abstract void Withdraw(ref int word, int tail);

    /// <summary>The unlocker's atomic take of the record (0 if none), after it read Slow; a full fence.</summary>
    static abstract int Take(ref int word);

    /// <summary>The unlocker's acquire re-read, after it released the lock, for a head that recorded itself meanwhile.</summary>
    static abstract int Peek(ref int word);
}

/// <summary>
/// The record is the 32-bit field right after the lock word (<see cref="QSpinLock.PvHead"/>): one
/// slot per lock and no probing, where the kernel hashes the lock's address.
/// </summary>
internal readonly struct NextWordHead : IParkedHeads
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref int Field(ref int word) => ref Unsafe.Add(ref word, 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Record(ref int word, int tail)
    {
        Volatile.Write(ref Field(ref word), tail); // release: the caller orders it before Slow; pairs with Take after the unlocker read Slow
        LockEvents.Inc(LockEvent.PvHashHops); // one probe: the lock itself names its parked head
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Erase(ref int word) => Volatile.Write(ref Field(ref word), 0); // relaxed: only our own unlock reads it, and we own the lock

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Withdraw(ref int word, int tail) => Interlocked.CompareExchange(ref Field(ref word), 0, tail); // a full fence when it succeeds: clear only our own registration

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Take(ref int word) => Interlocked.Exchange(ref Field(ref word), 0); // full: pairs with the head's write before its exchange of Slow

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Peek(ref int word) => Volatile.Read(ref Field(ref word)); // acquire: ordered after the unlocker's exchange of the locked byte
}
