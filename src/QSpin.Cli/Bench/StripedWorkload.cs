using System.Diagnostics;
using System.Runtime.CompilerServices;
using HdrHistogram;
using QSpin.Cli.Locks;

namespace QSpin.Cli.Bench;

/// <summary>
/// The striped workload (<c>qspin bench --workload striped</c>): N threads update a hash table, each
/// update under the lock of its bucket. Each iteration draws a key (<see cref="KeyPattern"/>), hashes it
/// to an entry of the table, takes lock <c>entry % buckets</c>, increments the entry (plain,
/// non-atomic), releases, and runs the private work. The table has at least <see cref="MinKeys"/>
/// entries, so with few buckets (lock striping) many entries share a lock, as in a striped hash map;
/// with a million buckets, each entry has its own lock.
/// </summary>
/// <remarks>
/// The entries are one 8-byte word each; the hash scatters keys over the table as a hash map does, so
/// the hot keys' entries and locks are not neighbours (drawn as 0 to 7 and stored unhashed, all eight
/// would share one cache line of entries and every contender would measure that line's false sharing
/// instead of its locks). Entries that collide share a lock too, so exclusion holds per entry. The sum
/// of the entries must equal the acquisitions: a lost
/// update means two threads held the same key's lock at once. The table of locks is created fresh for
/// each run, and the bytes it allocated are measured (<see cref="Sample.BytesPerLock"/>).
/// </remarks>
internal static class StripedWorkload
{
    /// <summary>The smallest key space.</summary>
    public const int MinKeys = 1 << 16;

    /// <summary>Keys 0 to this minus 1 are the hot keys of <see cref="KeyPattern.Hot"/>.</summary>
    public const int HotKeys = 8;

    private const int StopSlot = 8;

    /// <summary>Creates the table of <see cref="WorkloadSpec.Buckets"/> locks with <paramref name="create"/>, measures its bytes, and runs the workload on it.</summary>
    public static Sample Run<TTable>(Func<int, TTable> create, WorkloadSpec spec)
        where TTable : struct, ILockTableContender
    {
        if (spec.Buckets < 1) throw new ArgumentOutOfRangeException(nameof(spec), spec.Buckets, "the striped workload needs at least one bucket");
        // The run before left its table behind: collect it now, not during the measurement.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetAllocatedBytesForCurrentThread();
        TTable table = create(spec.Buckets);
        double bytesPerLock = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / spec.Buckets;

        int keys = Math.Max(spec.Buckets, MinKeys);
        long[] entries = new long[keys];
        var stop = new long[2 * StopSlot]; // the flag in the middle, on a cache line of its own
        GC.Collect(); // the new table reaches its generation before the clock starts
        Sample s = Workload.Measure(
            spec,
            (id, histogram) => Loop(table, entries, spec.Buckets, spec.Keys, stop, histogram, spec.PrivateWork, spec.SampleEvery - 1, (ulong)id + 1),
            () => Volatile.Write(ref stop[StopSlot], 1L),
            total => entries.Sum() == total);
        GC.KeepAlive(table);
        return s with { Buckets = spec.Buckets, Keys = spec.Keys, BytesPerLock = bytesPerLock };
    }

    /// <summary>One thread's loop; returns its acquisition count. Compiled optimised on first call, as <see cref="Workload"/>'s loop.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Loop<TTable>(TTable table, long[] entries, int buckets, KeyPattern pattern, long[] stop, IntHistogram histogram, int privateWork, int sampleMask, ulong seed)
        where TTable : struct, ILockTableContender
    {
        double nsPerTick = 1e9 / Stopwatch.Frequency;
        ulong keys = (ulong)entries.Length;
        bool hot = pattern == KeyPattern.Hot;
        ulong x = seed * 0x9E3779B97F4A7C15UL;
        long n = 0;
        while (Volatile.Read(ref stop[StopSlot]) == 0)
        {
            x = Workload.PrivateWork(x, 1);
            // The high 32 bits are the key; in hot mode bit 0 picks a hot key or any key.
            ulong high = x >> 32;
            uint key = hot && (x & 1) == 0 ? (uint)(high & (HotKeys - 1)) : (uint)high;
            int entry = (int)(((ulong)(key * 0x9E3779B1u) * keys) >> 32); // Fibonacci hash onto the table
            int bucket = entry % buckets;
            if ((n & sampleMask) == 0)
            {
                long t0 = Stopwatch.GetTimestamp();
                table.Enter(bucket);
                long waited = Stopwatch.GetTimestamp() - t0;
                entries[entry]++;
                table.Exit(bucket);
                histogram.RecordValue(Math.Min((long)(waited * nsPerTick), Workload.HighestTrackableNs));
            }
            else
            {
                table.Enter(bucket);
                entries[entry]++;
                table.Exit(bucket);
            }
            x = Workload.PrivateWork(x, privateWork);
            n++;
        }
        return n;
    }
}
