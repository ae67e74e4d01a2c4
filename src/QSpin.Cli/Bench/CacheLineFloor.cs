using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace QSpin.Cli.Bench;

/// <summary>
/// The cache-line floor: what one cache-line transfer between two cores costs on this machine, the
/// least any lock hand-off can cost (the lock word, or the queue node, has to move to the next owner).
/// Two threads bounce one 64-byte-aligned line: A waits for an even value and writes value + 1, B waits
/// for an odd value and writes value + 1. Each round trip moves the line twice, so the one-way transfer
/// time is the elapsed time over twice the rounds. <c>qspin bench</c> measures it once per run, in a
/// worker process, before the first cell.
/// </summary>
internal static class CacheLineFloor
{
    /// <summary>Round trips per measurement: about 0.4 s at 100 ns a transfer.</summary>
    public const int DefaultRounds = 2_000_000;

    /// <summary>Round trips per measurement with <c>--quick</c>.</summary>
    public const int QuickRounds = 100_000;

    /// <summary>Measurements per run; the figure is their median, with the min and max.</summary>
    public const int Measurements = 3;

    /// <summary>
    /// How long the bench waits after the workers' warm-ups before it measures the floor. Measured here
    /// with 9 workers: right after the warm-ups the median one-way time was 72-102 ns in 6 runs, after
    /// this pause 55-75 ns in 4 (one worker alone: 50-65 ns), as something in the processes that just
    /// ran (tier-1 compilation in the background, most likely) takes a core for a while.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    /// <summary>A ping-pong that takes longer than this is stopped (100 times this machine's 2M rounds in its slow state).</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(40);

    /// <summary>Why the floor cannot be measured with <paramref name="cores"/> cores, or null when it can.</summary>
    public static string? SkipReason(int cores) => cores < 2
        ? $"{cores} core: two threads cannot bounce a line between cores, every transfer would be a context switch"
        : null;

    /// <summary>One-way transfer time, in nanoseconds, of <paramref name="rounds"/> round trips that took <paramref name="elapsed"/>.</summary>
    public static double OneWayNs(TimeSpan elapsed, long rounds) => elapsed.TotalNanoseconds / (2.0 * rounds);

    /// <summary><paramref name="times"/> measurements of <paramref name="rounds"/> round trips each: the one-way transfer time of each, in nanoseconds.</summary>
    public static double[] Measure(int rounds, int times)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var result = new double[times];
        for (int i = 0; i < times; i++) result[i] = OneWayNs(PingPong(rounds, Limit, out _), rounds);
        return result;
    }

    /// <summary>
    /// One ping-pong of <paramref name="rounds"/> round trips, timed on this thread (A) from its first
    /// write to its seeing B's last; <paramref name="last"/> is the line's final value, 2 x rounds.
    /// Throws <see cref="TimeoutException"/> when it takes longer than <paramref name="limit"/>.
    /// </summary>
    public static TimeSpan PingPong(int rounds, TimeSpan limit, out long last)
    {
        // Line 0 is bounced; line 1 holds the abort flag, which only the timer writes, so reading it
        // in the spin is a hit in the spinning core's own cache and moves no line.
        var (data, line) = CacheLines.Allocate(2);
        int abort = line + CacheLines.LongsPerLine;
        long end = 2L * rounds;
        using var start = new Barrier(2);
        // B is created by this thread, so it inherits the worker's raised priority (a per-thread nice value on Linux).
        var b = new Thread(() =>
        {
            start.SignalAndWait();
            Bounce(data, line, abort, first: 1, end);
        }, maxStackSize: 256 * 1024) { IsBackground = true, Name = "floor B" };
        b.Start();
        // Volatile.Write: a release store, pairing with the spins' acquire loads of the flag.
        using var timer = new Timer(_ => Volatile.Write(ref data[abort], 1L), null, limit, Timeout.InfiniteTimeSpan);
        start.SignalAndWait();
        long t0 = Stopwatch.GetTimestamp();
        bool done = Bounce(data, line, abort, first: 0, end) && WaitFor(data, line, abort, end);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(t0);
        b.Join();
        last = Volatile.Read(ref data[line]);
        return done ? elapsed : throw new TimeoutException($"the cache-line ping-pong stopped after {limit.TotalMilliseconds:0} ms at value {last} of {end}");
    }

    /// <summary>
    /// One side of the ping-pong: for v = first, first + 2, ... below end, waits until the word is v and
    /// writes v + 1; false when the abort flag was set first. Plain volatile loads and stores, no atomics
    /// and no pause in the spin, so each step costs what moving the line costs. Volatile.Read is an
    /// acquire load and Volatile.Write a release store (ldar / stlr on arm64); each pairs with the other
    /// thread's access to the same word. Compiled optimised on first call, as the bench's measured loops are.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static bool Bounce(long[] data, int line, int abort, long first, long end)
    {
        for (long v = first; v < end; v += 2)
        {
            if (!WaitFor(data, line, abort, v)) return false;
            Volatile.Write(ref data[line], v + 1);
        }
        return true;
    }

    /// <summary>Spins until the word is <paramref name="value"/> (true) or the abort flag is set (false); acquire loads, pairing with the release stores of the other side and of the timer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WaitFor(long[] data, int line, int abort, long value)
    {
        ref long word = ref data[line];
        ref long stop = ref data[abort];
        while (Volatile.Read(ref word) != value)
        {
            if (Volatile.Read(ref stop) != 0) return false;
        }
        return true;
    }
}
