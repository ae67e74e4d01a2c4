namespace QSpin.Cli.Bench;

/// <summary>Everything one <c>qspin bench</c> run does; built from the command line by <see cref="BenchOptions"/>.</summary>
internal sealed record BenchSettings
{
    /// <summary>Thread counts, ascending, without duplicates.</summary>
    public required int[] Threads { get; init; }

    /// <summary>Measured seconds per cell (one contender, thread count, size and repetition).</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>Critical section sizes, in cache lines.</summary>
    public required int[] CsWork { get; init; }

    /// <summary>Private work sizes, in xorshift steps.</summary>
    public required int[] PrivateWork { get; init; }

    /// <summary>Contenders, in registry order.</summary>
    public required Contender[] Locks { get; init; }

    /// <summary>Repetitions of every cell.</summary>
    public required int Repeat { get; init; }

    /// <summary>Seconds each worker runs the workload before its first measurement, for the JIT to reach Tier 1.</summary>
    public required double WarmupSeconds { get; init; }

    /// <summary>The results folder to create; null for ./results/bench-&lt;timestamp&gt;.</summary>
    public string? Out { get; init; }

    /// <summary>True for the small CI run.</summary>
    public bool Quick { get; init; }

    /// <summary>How the loop calls the lock (hidden option; the default inlines).</summary>
    public Dispatch Dispatch { get; init; } = Dispatch.Struct;

    /// <summary>Default critical section: four cache lines.</summary>
    public const int DefaultCsLines = 4;

    /// <summary>Default private work: 50 xorshift steps (about 100 ns here), the same order as a contended critical section.</summary>
    public const int DefaultPrivateWork = 50;

    /// <summary>
    /// Default seconds per cell. On 2 cores the default sweep has 5 thread counts x 8 contenders x 3
    /// repetitions = 120 cells: 120 x 0.4 s = 48 s, plus about 1 s of warm-up per worker.
    /// </summary>
    public const double DefaultDurationSeconds = 0.4;

    /// <summary>1, 2, cores, 2x, 4x and 8x cores, ascending, without duplicates.</summary>
    public static int[] DefaultThreads(int cores) => Normalize([1, 2, cores, 2 * cores, 4 * cores, 8 * cores]);

    /// <summary>--quick: 1 thread and 2x cores (uncontended and oversubscribed).</summary>
    public static int[] QuickThreads(int cores) => Normalize([1, 2 * cores]);

    /// <summary>The full default run.</summary>
    public static BenchSettings Default(int cores) => new()
    {
        Threads = DefaultThreads(cores),
        DurationSeconds = DefaultDurationSeconds,
        CsWork = [DefaultCsLines],
        PrivateWork = [DefaultPrivateWork],
        Locks = [.. Contenders.All],
        Repeat = 3,
        WarmupSeconds = 0.3,
    };

    /// <summary>The CI run: every contender and output, a few seconds in all.</summary>
    public static BenchSettings QuickRun(int cores) => Default(cores) with
    {
        Threads = QuickThreads(cores),
        DurationSeconds = 0.05,
        Repeat = 1,
        WarmupSeconds = 0.02,
        Quick = true,
    };

    /// <summary>Sorted and without duplicates.</summary>
    public static int[] Normalize(IEnumerable<int> values) => [.. values.Distinct().Order()];

    /// <summary>Cells in the order they run: repetitions outermost, contenders innermost, so drifting machine noise spreads over every contender.</summary>
    public IEnumerable<(int Repeat, WorkloadSpec Spec, Contender Lock)> Cells()
    {
        for (int r = 1; r <= Repeat; r++)
            foreach (int cs in CsWork)
                foreach (int pw in PrivateWork)
                    foreach (int t in Threads)
                        foreach (var c in Locks)
                            yield return (r, new WorkloadSpec(t, DurationSeconds, cs, pw, Dispatch: Dispatch), c);
    }

    /// <summary>Number of cells.</summary>
    public int CellCount => Repeat * CsWork.Length * PrivateWork.Length * Threads.Length * Locks.Length;
}
