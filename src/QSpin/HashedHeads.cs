using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QSpin;

/// <summary>
/// The kernel's pv_hash / pv_unhash, for lock words that have no field of their own to name their
/// parked queue head (<see cref="QSpinLockArray"/>: 4 bytes per lock). A process-wide table keyed by
/// the lock word's address, open addressing in cache-line buckets of 8 entries, sized for thread slots
/// instead of CPUs: at most one record per thread slot can exist at a time (a thread is the parked
/// head of at most one lock, and every record ends in an unlock's <see cref="Take"/> or the head's own
/// <see cref="Withdraw"/>), so 65,536 entries for 16,383 slots keep at least 4 entries per possible
/// parked head and the table at most a quarter full.
/// </summary>
/// <remarks>
/// <para>
/// An entry is one 64-bit word: the word's address divided by 4 in bits 16-63 and the head's tail
/// (bits 16-31 of the lock word) in bits 0-15; 0 is a free entry. One word makes every change one
/// CAS, so a take, a withdrawal and a re-record of the same lock can race without ever mixing one
/// registration's address with another's tail (the kernel's two-field entry has only one remover).
/// It needs lock words below 2^48, which <see cref="QSpinLockArray"/> checks when it allocates them.
/// </para>
/// <para>
/// The entries for one lock behave as the one field <see cref="NextWordHead"/> gives a
/// <see cref="QSpinLock"/>: a record replaces the lock's earlier one, a take empties it. Each home
/// line has a high-water mark (<c>s_reach</c>): how many lines past it any record of a lock homed
/// there has been placed. The mark is raised before the entry is written and never lowered, so a
/// search reads the mark and then the entries, and never stops short of a record it must find: the
/// unlocker reads both after its claim of the Parked bit the record precedes (acquire); a head's own
/// <see cref="Withdraw"/> comes after its record in program order, or after it read <c>Hashed</c>
/// with acquire when the owner's KickNode recorded it.
/// A per-line mark keeps one collision burst from lengthening every other lock's search.
/// </para>
/// </remarks>
internal readonly unsafe struct HashedHeads : IParkedHeads
{
    private const int EntriesPerLine = 8; // 64-byte lines of 8-byte entries
    private const int LineBits = 13;      // 8,192 lines: 65,536 entries, 512 KB
    private const int LineMask = (1 << LineBits) - 1;
    private const long TailBits = 0xFFFF;

    private static readonly long* s_table = AllocateTable();

    /// <summary>Per home line: how many lines past it a record of a lock homed there has ever been placed (a high-water mark).</summary>
    private static readonly int[] s_reach = new int[1 << LineBits];

    /// <summary>The table's capacity in entries.</summary>
    internal const int Capacity = EntriesPerLine << LineBits;

    private static long* AllocateTable()
    {
        // Zeroed and never freed, like the thread slots. The entries are 64-byte aligned so that a
        // bucket is one cache line; calloc'ed pages are only touched where records land (512 KB of
        // address space, a few pages of memory).
        nint raw = (nint)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(long) + 64));
        return (long*)((raw + 63) & ~(nint)63);
    }

    /// <summary>Allocates the table now, so that no paravirt slow path (where nothing may throw) is the first to touch it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void Prepare() => GC.KeepAlive(s_reach);

    /// <summary>True if a lock word at <paramref name="address"/> can be a key (below 2^48, 4-byte aligned).</summary>
    internal static bool CanKey(nuint address) => (address >> 48) == 0 && (address & 3) == 0;

    /// <summary>Records currently in the table (tests and diagnostics; a racy snapshot).</summary>
    /// <remarks>
    /// Plain reads of aligned 64-bit entries (never torn), vectorised: the Coyote tests count after
    /// every iteration, where 32,768 <c>Volatile.Read</c> calls, each intercepted by the rewriting,
    /// cost more than the schedule they check.
    /// </remarks>
    internal static int CountRecords() => Capacity - new ReadOnlySpan<long>(s_table, Capacity).Count(0L);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long KeyOf(ref int word) => (long)(((ulong)(nuint)Unsafe.AsPointer(ref word) >> 2) << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HomeLine(long key) => (int)((((ulong)key >> 16) * 0x9E3779B97F4A7C15UL) >> (64 - LineBits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long* Line(int home, int distance) => s_table + ((home + distance) & LineMask) * EntriesPerLine;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsKey(long entry, long key) => (entry & ~TailBits) == key && entry != 0;

    /// <summary>The entry holding <paramref name="key"/>'s record, or null; within the probe window.</summary>
    private static long* Find(long key, out long entry)
    {
        int home = HomeLine(key);
        int lines = Seeded.SearchesHomeLineOnly ? 0 : Atomic.LoadRelaxed(ref s_reach[home]); // ordered after the record's own raise (see remarks)
        for (int d = 0; d <= lines; d++)
        {
            long* line = Line(home, d);
            for (int e = 0; e < EntriesPerLine; e++)
            {
                entry = Atomic.LoadRelaxed(line + e); // the caller's CAS decides; the claim of Parked (or our own program order) ordered it
                if (IsKey(entry, key)) return line + e;
            }
        }
        entry = 0;
        return null;
    }

    public static void Record(ref int word, int tail)
    {
        long key = KeyOf(ref word);
        long record = key | (long)((uint)tail >> LockWord.TailOffset);
        int home = HomeLine(key);
        while (true)
        {
            int lines = Atomic.LoadRelaxed(ref s_reach[home]); // covers the lock's earlier record: we raised it, or read Hashed after KickNode's owner did; a stale value for other locks only sends us the long way
            long* free = null;
            int freeDistance = 0, hops = 0;
            for (int d = 0; d <= lines; d++)
            {
                long* line = Line(home, d);
                for (int e = 0; e < EntriesPerLine; e++)
                {
                    long v = Atomic.LoadRelaxed(line + e); // a peek: the CAS below decides
                    if (free is null) hops++;
                    if (IsKey(v, key))
                    {
                        // The lock's earlier record (a head recording again while an unlock that claimed
                        // its Parked has not taken it yet): replace it, as a store to the lock's own field would.
                        if (Atomic.CompareExchange(line + e, record, v) != v) goto retry; // atomic with an unlocker's take
                        LockEvents.Add(LockEvent.PvHashHops, d * EntriesPerLine + e + 1);
                        return;
                    }
                    if (v == 0 && free is null) { free = line + e; freeDistance = d; }
                }
            }
            if (free is null) free = FindFreeBeyond(home, lines + 1, ref hops, out freeDistance);
            if (freeDistance > lines) RaiseReach(home, freeDistance); // before the entry is written: a search that finds the entry searched this far
            if (Atomic.CompareExchange(free, record, 0) == 0) // the caller orders it before Parked; pairs with the unlocker's search after it claimed Parked
            {
                LockEvents.Add(LockEvent.PvHashHops, hops);
                return;
            }
        retry:;
            // Another lock took the free entry, or an unlocker took our earlier record: search again.
        }
    }

    /// <summary>The first free entry past the probe window. The table is never more than a quarter full, so one exists.</summary>
    private static long* FindFreeBeyond(int home, int fromDistance, ref int hops, out int distance)
    {
        for (int spins = 0; ; )
        {
            for (int d = fromDistance; d <= LineMask; d++)
            {
                long* line = Line(home, d);
                for (int e = 0; e < EntriesPerLine; e++)
                {
                    hops++;
                    if (Atomic.LoadRelaxed(line + e) == 0) // a peek: the caller's CAS decides
                    {
                        distance = d;
                        return line + e;
                    }
                }
            }
            // Unreachable while one record per thread slot holds; wait for a record to go rather than fail.
            Spin.PauseUnbounded(ref spins);
            fromDistance = 0;
        }
    }

    private static void RaiseReach(int home, int distance)
    {
        ref int reach = ref s_reach[home];
        while (true)
        {
            int old = Atomic.LoadRelaxed(ref reach); // the CAS decides
            if (old >= distance || Atomic.CompareExchange(ref reach, distance, old) == old) return; // before the entry's CAS (both casal; the entry's release orders this write before it)
        }
    }

    public static void Withdraw(ref int word, int tail)
    {
        long key = KeyOf(ref word);
        long record = key | (long)((uint)tail >> LockWord.TailOffset);
        long* at = Find(key, out long entry);
        if (at is not null && entry == record) Atomic.CompareExchange(at, 0, record); // clear only our own registration; atomic with the unlocker's take
    }

    public static int Take(ref int word)
    {
        long key = KeyOf(ref word);
        while (true)
        {
            long* at = Find(key, out long entry); // after the unlock's claim of Parked (an acquire): sees the mark and the record made before Parked
            if (at is null) return 0; // the head withdrew its record on the way
            if (Atomic.CompareExchange(at, 0, entry) == entry) return (int)(entry & TailBits) << LockWord.TailOffset; // atomic with the head's withdrawal or re-record
        }
    }

    /// <summary>
    /// Tests only: fills the home line of <paramref name="word"/> with records of other (fake) lock
    /// addresses, so that the next record of this lock lands past its home line, a collision.
    /// </summary>
    internal static void OccupyHomeLineForTesting(ref int word)
    {
        long key = KeyOf(ref word);
        int home = HomeLine(key);
        long* line = Line(home, 0);
        ulong fake = ((ulong)key >> 16) + 1;
        for (int e = 0; e < EntriesPerLine; e++)
        {
            while (HomeLine((long)(fake << 16)) != home) fake++;
            Volatile.Write(ref line[e], (long)(fake << 16) | 1);
            fake++;
        }
    }

    /// <summary>
    /// Tests only: empties the table and lowers every home line's mark, so that one test's
    /// collisions do not lengthen another's searches (no lock may be in use; the caller's next thread
    /// start or join publishes it). Plain stores, as <see cref="CountRecords"/> reads.
    /// </summary>
    internal static void ClearForTesting()
    {
        new Span<long>(s_table, Capacity).Clear();
        Array.Clear(s_reach);
    }
}
