using System.Globalization;
using System.Runtime.InteropServices;
using QSpin.Cli.Locks;

namespace QSpin.Cli.Bench;

/// <summary>A figure of one sample; <paramref name="floorNs"/> is the run's cache-line floor (<see cref="FloorInfo"/>'s median), NaN when it has none.</summary>
internal delegate double Figure(Sample sample, double floorNs);

/// <summary>One figure of a cell, as the CSV, the tables and the plots name and read it.</summary>
internal sealed record Metric(string Column, string Title, string Unit, Figure Of);

/// <summary>The figures reported per contender and thread count, in column order.</summary>
internal static class Metrics
{
    public static readonly Metric Throughput = new("acq_per_sec", "throughput", "acquisitions/s", (s, _) => s.AcquisitionsPerSecond);
    public static readonly Metric Jain = new("jain", "fairness (Jain)", "", (s, _) => s.Jain);
    public static readonly Metric MaxMin = new("max_min", "max/min", "", (s, _) => s.MaxMin);
    public static readonly Metric CpuPerAcquisition = new("cpu_ns_per_acq", "CPU per acquisition", "ns", (s, _) => s.CpuNsPerAcquisition);
    public static readonly Metric CpuShare = new("cpu_share", "CPU share", "", (s, _) => s.CpuShare);
    public static readonly Metric P50 = new("p50_ns", "p50 latency", "ns", (s, _) => s.Latency.P50Ns);
    public static readonly Metric P99 = new("p99_ns", "p99 latency", "ns", (s, _) => s.Latency.P99Ns);
    public static readonly Metric P999 = new("p999_ns", "p99.9 latency", "ns", (s, _) => s.Latency.P999Ns);
    public static readonly Metric Max = new("max_ns", "max latency", "ns", (s, _) => s.Latency.MaxNs);
    public static readonly Metric BytesPerLock = new("bytes_per_lock", "bytes per lock", "B", (s, _) => s.BytesPerLock ?? double.NaN);
    public static readonly Metric HandoffsPerAcquisition = new("handoffs_per_acq", "hand-offs per acquisition", "", (s, _) => s.HandoffsPerAcquisition);
    public static readonly Metric NsPerHandoff = new("ns_per_handoff", "time per hand-off", "ns", (s, _) => s.NsPerHandoff);

    /// <summary>Time per hand-off over the run's one-way cache-line transfer time: how many transfers' worth each hand-off costs.</summary>
    public static readonly Metric HandoffOverFloor = new("handoff_over_floor", "hand-off / floor", "", (s, floorNs) => s.NsPerHandoff / floorNs);

    /// <summary>Max latency over the mode's bypass bound: QSpin contenders in a mode with a positive bound only.</summary>
    public static readonly Metric WorstWaitOverBound = new("worst_wait_over_bound", "worst wait / bound", "", (s, _) => s.WorstWaitOverBound);

    public static readonly IReadOnlyList<Metric> All =
        [Throughput, Jain, MaxMin, CpuPerAcquisition, CpuShare, P50, P99, P999, Max, BytesPerLock, HandoffsPerAcquisition, NsPerHandoff, HandoffOverFloor, WorstWaitOverBound];
}

/// <summary>One cell (contender, thread count, sizes) over its repetitions: the median and spread of every metric.</summary>
internal sealed record CellSummary(
    string Lock,
    int Threads,
    int CsLines,
    int PrivateWork,
    int Repeats,
    IReadOnlyDictionary<string, Spread> Figures,
    bool? MutualExclusionHeld)
{
    /// <summary>Striped workload: locks in the table (0: single-lock workload).</summary>
    public int Buckets { get; init; }

    /// <summary>Striped workload: how keys were drawn.</summary>
    public KeyPattern Keys { get; init; }

    /// <summary>The table this cell belongs in.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Shape Shape => new(CsLines, PrivateWork, Buckets, Keys);

    public Spread this[Metric m] => Figures[m.Column];

    /// <summary>Summarises the samples of one cell; <paramref name="floorNs"/> is the run's cache-line floor (NaN: none).</summary>
    public static CellSummary Of(IReadOnlyList<Sample> samples, double floorNs = double.NaN)
    {
        var first = samples[0];
        var figures = Metrics.All.ToDictionary(m => m.Column, m => Statistics.Summarize(samples.Select(s => m.Of(s, floorNs))));
        bool? exclusive = samples.All(s => s.MutualExclusionHeld is null) ? null : samples.All(s => s.MutualExclusionHeld != false);
        return new CellSummary(first.Lock, first.Threads, first.CsLines, first.PrivateWork, samples.Count, figures, exclusive)
        {
            Buckets = first.Buckets,
            Keys = first.Keys,
        };
    }
}

/// <summary>A measured sample and the repetition it belongs to.</summary>
internal sealed record RepeatedSample(int Repeat, Sample Sample);

/// <summary>A contender as it ran: its worker's greeting.</summary>
internal sealed record ContenderInfo(string Name, LockKind Kind, string Description, string? Mode, string? ModeReason, string? Priority);

/// <summary>Where the numbers come from. The load averages (Linux) show how busy the machine was with other work.</summary>
internal sealed record MachineInfo(int Cpus, string Os, string Runtime, string Architecture, bool Hypervisor, string Gc)
{
    public string? LoadAverageBefore { get; init; }

    public string? LoadAverageAfter { get; init; }
}

/// <summary>
/// The run's cache-line floor (<see cref="CacheLineFloor"/>): the one-way transfer time of each
/// measurement, in nanoseconds, or why there is none (<see cref="Skipped"/>).
/// </summary>
internal sealed record FloorInfo(int Rounds, IReadOnlyList<double> OneWayNs, string? Skipped)
{
    /// <summary>A floor that was not measured, and why.</summary>
    public static FloorInfo Absent(int rounds, string why) => new(rounds, [], why);

    /// <summary>The median of the measurements, with their min and max (NaN when skipped).</summary>
    public Spread OneWay => Statistics.Summarize(OneWayNs);

    /// <summary>The one line the console header and results.md show.</summary>
    public string Describe() => Skipped is not null
        ? $"cache-line floor: not measured ({Skipped})"
        : string.Create(CultureInfo.InvariantCulture,
            $"cache-line floor: one-way transfer {OneWay.Median:0.0} ns (median of {OneWayNs.Count}: {OneWay.Min:0.0}-{OneWay.Max:0.0} ns; {Rounds:N0} round trips each)");
}

/// <summary>The settings recorded in results.json.</summary>
internal sealed record SettingsInfo(int[] Threads, double DurationSeconds, int[] CsLines, int[] PrivateWork, string[] Locks, int Repeat, double WarmupSeconds, int SampleEvery, bool Quick, Dispatch Dispatch)
{
    public BenchWorkload Workload { get; init; }

    /// <summary>The striped workload's shapes (empty for the single-lock workload).</summary>
    public IReadOnlyList<StripeInfo> Stripes { get; init; } = [];
}

/// <summary>One shape of the striped workload.</summary>
internal sealed record StripeInfo(int Buckets, KeyPattern Keys);

/// <summary>Everything one run produced: what results.json holds, and what the CSV files, tables and plots are made from.</summary>
internal sealed record BenchReport(
    string Schema,
    bool Complete,
    string? Interruption,
    string Command,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    MachineInfo Machine,
    SettingsInfo Settings,
    IReadOnlyList<ContenderInfo> Contenders,
    IReadOnlyList<CellSummary> Summary,
    IReadOnlyList<RepeatedSample> Samples,
    IReadOnlyList<string> Errors)
{
    /// <summary>The cache-line floor measured before the first cell; null in reports made without one (tests).</summary>
    public FloorInfo? Floor { get; init; }

    /// <summary>The floor's median one-way time, in nanoseconds, as the figures take it; NaN when there is none.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double FloorNs => Floor?.OneWay.Median ?? double.NaN;

    public const string SchemaName = "qspin-bench/1";

    /// <summary>The machine this process runs on.</summary>
    public static MachineInfo ThisMachine() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.ProcessArchitecture.ToString(),
        QSpinOps.HypervisorPresent,
        System.Runtime.GCSettings.IsServerGC ? "server" : "workstation");

    /// <summary>The 1, 5 and 15 minute load averages (Linux /proc/loadavg), or null elsewhere.</summary>
    public static string? LoadAverage()
    {
        if (!OperatingSystem.IsLinux()) return null; // Windows has no load average
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Summaries per cell, in the order: sizes, thread count, contender (registry order); <paramref name="floorNs"/> as for <see cref="CellSummary.Of"/>.</summary>
    public static IReadOnlyList<CellSummary> Summarize(IEnumerable<RepeatedSample> samples, IReadOnlyList<string> lockOrder, double floorNs = double.NaN) =>
        [.. samples.Select(r => r.Sample)
            .GroupBy(s => (s.CsLines, s.PrivateWork, s.Buckets, s.Keys, s.Threads, s.Lock))
            .OrderBy(g => g.Key.CsLines).ThenBy(g => g.Key.PrivateWork).ThenBy(g => g.Key.Buckets).ThenBy(g => g.Key.Keys).ThenBy(g => g.Key.Threads)
            .ThenBy(g => IndexOf(lockOrder, g.Key.Lock))
            .Select(g => CellSummary.Of([.. g], floorNs))];

    private static int IndexOf(IReadOnlyList<string> order, string name)
    {
        for (int i = 0; i < order.Count; i++) if (order[i] == name) return i;
        return order.Count;
    }

    /// <summary>"3", or "1-3" when an interrupted run left some cells with fewer repetitions.</summary>
    public string RepeatsText(IEnumerable<CellSummary> cells)
    {
        var counts = cells.Select(c => c.Repeats).DefaultIfEmpty(0).ToList();
        return counts.Min() == counts.Max() ? $"{counts.Min()}" : $"{counts.Min()}-{counts.Max()}";
    }

    /// <summary>The shapes present (sizes, or buckets and keys), in order.</summary>
    public IEnumerable<Shape> Shapes() => Summary.Select(c => c.Shape).Distinct();
}
