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

    /// <summary>Round trips per measurement of the cache-line floor (<see cref="CacheLineFloor"/>).</summary>
    public int FloorRounds { get; init; } = CacheLineFloor.DefaultRounds;

    /// <summary>What is measured: one lock, or a table of locks.</summary>
    public BenchWorkload Workload { get; init; } = BenchWorkload.Single;

    /// <summary>The striped workload's shapes: bucket count and key pattern; empty for the single-lock workload.</summary>
    public (int Buckets, KeyPattern Keys)[] Stripes { get; init; } = [];

    /// <summary>Lock striping: a few locks for a whole table (64, as a striped hash map might have).</summary>
    public const int StripingBuckets = 64;

    /// <summary>Per-bucket locks: one lock for each of a million buckets.</summary>
    public const int PerBucketBuckets = 1_000_000;

    /// <summary>Most buckets (a padded table of them is 640 MB).</summary>
    public const int MaxBuckets = 10_000_000;

    /// <summary>The striped workload's two default shapes: lock striping with hot keys, per-bucket locks with uniform keys.</summary>
    public static readonly (int Buckets, KeyPattern Keys)[] DefaultStripes = [(StripingBuckets, KeyPattern.Hot), (PerBucketBuckets, KeyPattern.Uniform)];

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

    /// <summary>The full default run of <paramref name="workload"/>.</summary>
    public static BenchSettings Default(int cores, BenchWorkload workload = BenchWorkload.Single) => new()
    {
        Threads = DefaultThreads(cores),
        DurationSeconds = DefaultDurationSeconds,
        CsWork = workload == BenchWorkload.Single ? [DefaultCsLines] : [0],
        PrivateWork = [DefaultPrivateWork],
        Locks = [.. Contenders.For(workload)],
        Repeat = 3,
        WarmupSeconds = 0.3,
        Workload = workload,
        Stripes = workload == BenchWorkload.Single ? [] : DefaultStripes,
    };

    /// <summary>The CI run: every contender and output, a few seconds in all.</summary>
    public static BenchSettings QuickRun(int cores, BenchWorkload workload = BenchWorkload.Single) => Default(cores, workload) with
    {
        Threads = QuickThreads(cores),
        DurationSeconds = 0.05,
        Repeat = 1,
        WarmupSeconds = 0.02,
        FloorRounds = CacheLineFloor.QuickRounds,
        Quick = true,
    };

    /// <summary>Sorted and without duplicates.</summary>
    public static int[] Normalize(IEnumerable<int> values) => [.. values.Distinct().Order()];

    /// <summary>Cells in the order they run: repetitions outermost, contenders innermost, so drifting machine noise spreads over every contender.</summary>
    public IEnumerable<(int Repeat, WorkloadSpec Spec, Contender Lock)> Cells()
    {
        for (int r = 1; r <= Repeat; r++)
            foreach (WorkloadSpec shape in Shapes())
                foreach (int t in Threads)
                    foreach (var c in Locks)
                        yield return (r, shape with { Threads = t }, c);
    }

    /// <summary>One spec per shape (sizes, or buckets and keys), with the first thread count: what the cells vary besides threads and locks.</summary>
    public IEnumerable<WorkloadSpec> Shapes()
    {
        foreach (int cs in CsWork)
            foreach (int pw in PrivateWork)
            {
                var spec = new WorkloadSpec(Threads[0], DurationSeconds, cs, pw, Dispatch: Dispatch);
                if (Workload == BenchWorkload.Single) yield return spec;
                else foreach (var (buckets, keys) in Stripes) yield return spec with { Buckets = buckets, Keys = keys };
            }
    }

    /// <summary>Number of cells.</summary>
    public int CellCount => Repeat * Shapes().Count() * Threads.Length * Locks.Length;
}
