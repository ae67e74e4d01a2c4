using System.Diagnostics;

namespace QSpin.Cli.Torture;

/// <summary>
/// What a writer does while it holds its locks, drawn at random like the kernel's locktorture: mostly
/// nothing or a few spins, sometimes about 2 us, rarely a long hold, and now and then a yield of the
/// core so that the holder is preempted while it holds the lock.
/// </summary>
/// <remarks>
/// The odds scale with the number of writers as in locktorture, so that the whole run sees about the
/// same rate of long holds whatever the writer count: per critical section, a long hold has odds
/// 1 in (writers x 2000 x long-hold-ms), a 2 us delay 1 in (writers x 4), a preemption 1 in
/// (writers x 2000).
/// </remarks>
internal sealed class Delays(Random rng, int writers, int longHoldMs)
{
    private static readonly long TwoMicroseconds = Math.Max(1, Stopwatch.Frequency / 500_000);

    public long LongHolds;
    public long ShortDelays;
    public long Preemptions;

    /// <summary>Runs one critical section's delay.</summary>
    public void InCriticalSection()
    {
        if (longHoldMs > 0 && rng.NextInt64((long)writers * 2000 * longHoldMs) == 0)
        {
            LongHolds++;
            // Half the long holds keep the core (the kernel's mdelay), half sleep: a holder off the CPU.
            if (rng.Next(2) == 0) SpinFor(Stopwatch.Frequency * longHoldMs / 1000);
            else Thread.Sleep(longHoldMs);
        }
        else if (rng.Next(writers * 4) == 0)
        {
            ShortDelays++;
            SpinFor(TwoMicroseconds);
        }
        else if (rng.Next(4) == 0)
        {
            Thread.SpinWait(rng.Next(1, 16)); // tiny
        }

        if (rng.Next(writers * 2000) == 0)
        {
            Preemptions++;
            if (rng.Next(2) == 0) Thread.Yield();
            else Thread.Sleep(0);
        }
    }

    private static void SpinFor(long ticks)
    {
        long end = Stopwatch.GetTimestamp() + ticks;
        while (Stopwatch.GetTimestamp() < end) Thread.SpinWait(1);
    }
}
