using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// Layout of the 32-bit lock word, as in the kernel's qspinlock with 8-bit pending:
/// <code>
///  bits  0-7   locked byte   0 free, 1 held (Locked)
///  bits  8-15  pending byte  native: 1 = one waiter spins on the locked byte outside the queue;
///                            paravirt: bit 0 (Pending) = the queue head is spinning, do not steal;
///                            bit 1 (Parked) = the queue head is parked and recorded, the unlock
///                            that follows must kick it
///  bits 16-17  tail index    which of the tail thread's nodes (nesting level)
///  bits 18-31  tail slot+1   the last queued thread's slot plus one; 0 = no queue
/// </code>
/// Pending is a whole byte so that it can be set and cleared with a byte store, and
/// locked+pending form the low 16 bits so that the pending waiter can take the lock and
/// drop pending with one 16-bit store. The tail is the high 16 bits and is swapped with a
/// 16-bit exchange. All sub-word views assume a little-endian machine (checked at start-up).
/// </summary>
internal static class LockWord
{
    public const int Locked = 1;
    public const int LockedMask = 0xFF;

    public const int PendingOffset = 8;
    public const int Pending = 1 << PendingOffset;
    public const int PendingMask = 0xFF << PendingOffset;
    public const int LockedPendingMask = LockedMask | PendingMask;

    /// <summary>Paravirt: the pending byte's bit 0, as a byte (the head is spinning: arrivals do not steal).</summary>
    public const byte PendingBit = 1;

    /// <summary>Paravirt: the pending byte's bit 1, as a byte (a parked head is recorded: the next unlock kicks it).</summary>
    public const byte ParkedBit = 2;

    /// <summary>Paravirt: what stops a steal, the locked byte and the head's Pending bit (Parked does not).</summary>
    public const int LockedOrSpinningHead = LockedMask | Pending;

    public const int TailOffset = 16;
    public const int TailIndexOffset = 16;
    public const int TailIndexBits = 2;
    public const int TailSlotOffset = TailIndexOffset + TailIndexBits;
    public const int TailSlotBits = 32 - TailSlotOffset;
    public const int TailMask = unchecked((int)0xFFFF_0000);

    /// <summary>Nodes per thread (the kernel's 4 nesting levels per CPU).</summary>
    public const int NodesPerThread = 1 << TailIndexBits;

    /// <summary>Thread slots the tail can name: slot+1 must fit in 14 bits, so 16,383.</summary>
    public const int MaxSlots = (1 << TailSlotBits) - 1;

    /// <summary>The tail value (bits 16-31 in place) naming node <paramref name="index"/> of <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int EncodeTail(int slot, int index) => ((slot + 1) << TailSlotOffset) | (index << TailIndexOffset);

    /// <summary>The slot named by a tail; the tail must be non-zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TailSlot(int tail) => (int)((uint)tail >> TailSlotOffset) - 1;

    /// <summary>The node index named by a tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TailIndex(int tail) => (tail >> TailIndexOffset) & (NodesPerThread - 1);

    /// <summary>The locked byte (byte 0) of the word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref byte LockedByte(ref int word) => ref Unsafe.As<int, byte>(ref word);

    /// <summary>The pending byte (byte 1) of the word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref byte PendingByte(ref int word) => ref Unsafe.Add(ref Unsafe.As<int, byte>(ref word), 1);

    /// <summary>Locked and pending together: the low 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref ushort LockedPending(ref int word) => ref Unsafe.As<int, ushort>(ref word);

    /// <summary>The tail: the high 16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref ushort Tail(ref int word) => ref Unsafe.Add(ref Unsafe.As<int, ushort>(ref word), 1);

    /// <summary>Human-readable (tail, pending, locked) form of a word value, for messages and dumps.</summary>
    public static string Describe(int word)
    {
        int tail = word & TailMask;
        string t = tail == 0 ? "none" : $"slot {TailSlot(tail)} node {TailIndex(tail)}";
        return $"0x{word:X8} (tail: {t}, pending: {(word >> PendingOffset) & 0xFF}, locked: {word & LockedMask})";
    }
}
