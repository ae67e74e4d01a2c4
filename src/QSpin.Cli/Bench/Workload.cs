using System.Diagnostics;
using System.Runtime.CompilerServices;
using HdrHistogram;
using QSpin.Cli.Locks;

namespace QSpin.Cli.Bench;

/// <summary>
/// The contention workload: N threads start together at a barrier; each iteration takes the lock,
/// increments one word in each of <see cref="WorkloadSpec.CsLines"/> shared cache lines, releases, and
/// runs <see cref="WorkloadSpec.PrivateWork"/> steps of private work; after the duration a stop flag
/// ends every loop. One acquisition in <see cref="WorkloadSpec.SampleEvery"/> is timed with
/// <see cref="Stopwatch.GetTimestamp"/> into a per-thread HdrHistogram. The critical section also
/// counts hand-offs: acquisitions by another thread than the one before.
/// </summary>
internal static class Workload
{
    /// <summary>Longest latency the histograms track; longer waits are recorded as this value.</summary>
    public static readonly long HighestTrackableNs = 60_000_000_000L;

    private const int LongsPerLine = CacheLines.LongsPerLine;

    /// <summary>Where in the critical section's first line (the counter's) the last owner's number is kept.</summary>
    private const int OwnerSlot = 1;

    /// <summary>Runs the workload on <paramref name="lck"/>; the loop is compiled for <typeparamref name="TLock"/>, with Enter/Exit inlined.</summary>
    public static Sample Run<TLock>(TLock lck, WorkloadSpec spec)
        where TLock : struct, ILockContender
    {
        var shared = new Shared(spec.CsLines);
        var handoffs = new long[spec.Threads];
        Sample s = Measure(
            spec,
            (id, histogram) => Loop(lck, shared, histogram, spec.PrivateWork, spec.SampleEvery - 1, id + 1, out handoffs[id]),
            () => Volatile.Write(ref shared.Stop, 1L),
            total => spec.CsLines > 0 ? shared.Counter == total : null);
        // The run's first acquisition found the owner slot at 0, nobody: it was no hand-off. An empty
        // critical section has no line to keep the owner in, so no count.
        return spec.CsLines > 0 ? s with { Handoffs = Math.Max(0, handoffs.Sum() - 1) } : s;
    }

    /// <summary>
    /// The harness every workload shares: starts <see cref="WorkloadSpec.Threads"/> threads at a barrier,
    /// each running <paramref name="loop"/> (its id, its latency histogram; returns its acquisitions) until
    /// <paramref name="stop"/> is called after the duration, and measures time, CPU and latency.
    /// </summary>
    /// <param name="exclusive">Given the total acquisitions: whether no update was lost (null: not checked).</param>
    public static Sample Measure(WorkloadSpec spec, Func<int, IntHistogram, long> loop, Action stop, Func<long, bool?> exclusive)
    {
        var histograms = new IntHistogram[spec.Threads];
        var counts = new long[spec.Threads];
        var workers = new Thread[spec.Threads];
        using var start = new Barrier(spec.Threads + 1);
        for (int i = 0; i < spec.Threads; i++)
        {
            int id = i;
            histograms[id] = new IntHistogram(HighestTrackableNs, 3);
            workers[id] = new Thread(() =>
            {
                start.SignalAndWait();
                counts[id] = loop(id, histograms[id]);
            }, maxStackSize: 256 * 1024) { IsBackground = true, Name = $"bench {id}" };
            workers[id].Start();
        }

        if (QSpinStats.Enabled) QSpinStats.Reset();
        start.SignalAndWait();
        long t0 = Stopwatch.GetTimestamp();
        TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
        Thread.Sleep(TimeSpan.FromSeconds(spec.DurationSeconds));
        stop();
        double elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        foreach (var t in workers) t.Join();
        double cpu = (Environment.CpuUsage.TotalTime - cpu0).TotalSeconds;

        var merged = new LongHistogram(HighestTrackableNs, 3);
        foreach (var h in histograms) merged.Add(h);
        long total = counts.Sum();
        IReadOnlyDictionary<string, long>? events = QSpinStats.Enabled
            ? QSpinStats.Snapshot().ToDictionary(kv => kv.Key, kv => (long)Math.Round(kv.Value))
            : null;
        return new Sample(
            Lock: "", Mode: null, spec.Threads, spec.CsLines, spec.PrivateWork, elapsed, total, counts, cpu,
            Statistics.Percentiles(merged), exclusive(total), events);
    }

    /// <summary>One thread's loop; returns its acquisition count, and in <paramref name="handoffs"/> how many of them were hand-offs.</summary>
    /// <param name="self">This thread's number, from 1 (never the owner slot's initial 0): seeds its private work and marks it as the critical section's owner.</param>
    /// <remarks>
    /// Compiled fully optimised on first call (no Tier-0 code, no on-stack replacement), so every run
    /// measures the same machine code. The worker has read the QSpin mode before, so that static
    /// readonly field is initialised and the JIT folds it. The lock's own out-of-line slow paths still
    /// tier up normally; the worker's warm-up runs give them the time.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Loop<TLock>(TLock lck, Shared shared, IntHistogram histogram, int privateWork, int sampleMask, long self, out long handoffs)
        where TLock : struct, ILockContender
    {
        long[] data = shared.Data;
        int begin = shared.Base;
        int end = begin + shared.Lines * LongsPerLine;
        int stop = shared.StopIndex;
        double nsPerTick = 1e9 / Stopwatch.Frequency;
        ulong x = (ulong)self * 0x9E3779B97F4A7C15UL;
        long n = 0, h = 0;
        while (Volatile.Read(ref data[stop]) == 0)
        {
            if ((n & sampleMask) == 0)
            {
                long before = Stopwatch.GetTimestamp();
                lck.Enter();
                long waited = Stopwatch.GetTimestamp() - before;
                h += CriticalSection(data, begin, end, self);
                lck.Exit();
                histogram.RecordValue(Math.Min((long)(waited * nsPerTick), HighestTrackableNs));
            }
            else
            {
                lck.Enter();
                h += CriticalSection(data, begin, end, self);
                lck.Exit();
            }
            x = PrivateWork(x, privateWork);
            n++;
        }
        shared.Sink ^= (long)x; // keeps the private work from being optimised away
        handoffs = h;
        return n;
    }

    /// <summary>
    /// Increments the first word of each shared cache line; plain, non-atomic: the lock must protect it.
    /// The first line's word, the acquisition counter, is read before and written after the other
    /// lines, so that a thread preempted in between loses another thread's updates: a broken lock is
    /// caught even when the threads share one core. The first line also keeps the last owner's number
    /// (<paramref name="self"/> of the thread before): the owner has that line anyway, so counting
    /// hand-offs moves no extra line. Returns 1 for a hand-off (another thread was the last owner), else 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long CriticalSection(long[] data, int begin, int end, long self)
    {
        if (begin == end) return 0;
        long counter = data[begin];
        long last = data[begin + OwnerSlot];
        for (int i = begin + LongsPerLine; i < end; i += LongsPerLine) data[i]++;
        data[begin + OwnerSlot] = self;
        data[begin] = counter + 1;
        return last != self ? 1 : 0;
    }

    /// <summary><paramref name="steps"/> steps of a xorshift64 chain: dependent arithmetic on a register, no memory traffic.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong PrivateWork(ulong x, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        return x;
    }

    /// <summary>
    /// The state all threads share, in one pinned array: the critical section's cache lines from
    /// <see cref="Base"/> on, 64-byte aligned, then an empty line, then the stop flag on a line of its own.
    /// </summary>
    private sealed class Shared
    {
        public readonly long[] Data;
        public readonly int Base;
        public readonly int Lines;
        public readonly int StopIndex;
        public long Sink;

        public Shared(int lines)
        {
            Lines = lines;
            (Data, Base) = CacheLines.Allocate(lines + 2);
            StopIndex = Base + (lines + 1) * LongsPerLine;
        }

        public ref long Stop => ref Data[StopIndex];

        /// <summary>The first word of the critical section's first line: it counts every acquisition.</summary>
        public long Counter => Data[Base];
    }
}
