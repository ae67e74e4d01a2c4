using System.Globalization;

namespace QSpin.Cli.Torture;

/// <summary>
/// <c>--shuffle</c>: every few seconds picks a new CPU set for all writers, like locktorture's
/// shuffler: all allowed CPUs, or all but one chosen at random (the "idle" CPU), which on a small
/// machine packs every writer onto the remaining cores. Each writer applies the new set itself, at
/// the start of its next write, because an affinity call acts on the calling thread.
/// </summary>
internal sealed class Shuffler
{
    private readonly int[] _allowed;
    private int[] _mask;
    private int _generation;
    private long _applied;
    private long _refused;

    private Shuffler(int[] allowed)
    {
        _allowed = allowed;
        _mask = allowed;
    }

    /// <summary>Shuffles published so far.</summary>
    public int Shuffles => Volatile.Read(ref _generation);

    /// <summary>Affinity calls made by writers that succeeded / that the OS refused.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>A shuffler, or null with the reason when this OS or this process's CPU set does not allow one.</summary>
    public static Shuffler? TryCreate(out string? reason)
    {
        int[]? allowed = CpuAffinity.AllowedCpus();
        if (allowed is null)
        {
            reason = "CPU affinity is not available on this OS (only Linux and Windows); shuffle skipped";
            return null;
        }
        if (allowed.Length < 2)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"only {allowed.Length} CPU allowed; shuffle skipped");
            return null;
        }
        reason = null;
        return new Shuffler(allowed);
    }

    /// <summary>Called by a writer outside its locks: applies the current CPU set if it changed since <paramref name="seen"/>.</summary>
    public void ApplyIfChanged(ref int seen)
    {
        int g = Volatile.Read(ref _generation); // acquire: pairs with the release in Run, so _mask is the new one
        if (g == seen) return;
        seen = g;
        if (CpuAffinity.TrySetCurrentThread(Volatile.Read(ref _mask))) Interlocked.Increment(ref _applied);
        else Interlocked.Increment(ref _refused);
    }

    /// <summary>The shuffler thread's loop: a new CPU set every <paramref name="seconds"/> until <paramref name="stop"/>.</summary>
    public void Run(double seconds, int seed, CancellationToken stop)
    {
        var rng = new Random(seed);
        while (!stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds)))
        {
            int idle = rng.Next(-1, _allowed.Length); // -1: no idle CPU this time
            Volatile.Write(ref _mask, idle < 0 ? _allowed : [.. _allowed.Where((_, i) => i != idle)]);
            Interlocked.Increment(ref _generation); // release: the mask before the generation
        }
    }
}
