using System.CommandLine;
using System.CommandLine.Parsing;
using QSpin.Cli.Locks;

namespace QSpin.Cli.Bench;

/// <summary>
/// The options of <c>qspin bench</c>, parsed by <see cref="OptionValues"/> (lists take spaces or commas:
/// <c>--threads 1 2 4</c> or <c>--threads 1,2,4</c>; a bad value is a one-line error naming the option).
/// </summary>
internal sealed class BenchOptions
{
    public const int MaxThreads = 1024;
    public const double MaxDurationSeconds = 600;

    public readonly Option<int[]?> Threads = new("--threads")
    {
        Description = "Thread counts to sweep [default: 1, 2, cores, 2x, 4x and 8x cores; --quick: 1 and 2x cores]",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => OptionValues.IntList(r, 1, MaxThreads, "thread count"),
    };

    public readonly Option<double?> Duration = new("--duration")
    {
        Description = $"Measured time per cell, in seconds or with a unit: 0.4, 400ms, 2s [default: {BenchSettings.DefaultDurationSeconds}; --quick: 0.05]",
        CustomParser = r => OptionValues.Seconds(r, 0.001, MaxDurationSeconds, $"1ms to {MaxDurationSeconds} s"),
    };

    public readonly Option<int[]?> CsWork = new("--cs-work")
    {
        Description = $"Critical section sizes to sweep: cache lines of shared state updated under the lock [default: {BenchSettings.DefaultCsLines}]",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => OptionValues.IntList(r, 0, 4096, "number of cache lines"),
    };

    public readonly Option<int[]?> PrivateWork = new("--private-work")
    {
        Description = $"Private work sizes to sweep: xorshift steps between release and the next acquisition [default: {BenchSettings.DefaultPrivateWork}]",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => OptionValues.IntList(r, 0, 10_000_000, "number of steps"),
    };

    public readonly Option<Contender[]?> Locks = new("--locks")
    {
        Description = $"Contenders to run, or 'all' [default: all of the workload]: {Contenders.Names}; with --workload striped: {Contenders.NamesOf(BenchWorkload.Striped)}",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = ParseLocks,
    };

    public readonly Option<BenchWorkload?> Workload = new("--workload")
    {
        HelpName = "single|striped",
        Description = "single: every thread takes one lock [default]; striped: threads update a table of buckets, each under its bucket's lock (--buckets, --keys)",
        CustomParser = ParseWorkload,
    };

    public readonly Option<int[]?> Buckets = new("--buckets")
    {
        Description = $"--workload striped: bucket counts (one lock each) to sweep [default: the two shapes {BenchSettings.StripingBuckets} buckets with hot keys and {BenchSettings.PerBucketBuckets:N0} with uniform keys]",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => OptionValues.IntList(r, 1, BenchSettings.MaxBuckets, "bucket count"),
    };

    public readonly Option<KeyPattern[]?> Keys = new("--keys")
    {
        HelpName = "uniform|hot",
        Description = $"--workload striped: key patterns to sweep: uniform, or hot (half the updates go to {StripedWorkload.HotKeys} keys) [default: uniform with --buckets]",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = ParseKeys,
    };

    public readonly Option<int?> Repeat = new("--repeat")
    {
        Description = "Repetitions of every cell; tables show the median and the min-max spread [default: 3; --quick: 1]",
        CustomParser = r => OptionValues.Int(r, 1, 1000, "repetition count"),
    };

    public readonly Option<string?> Out = new("--out")
    {
        Description = "Results folder to create (must not exist, or be empty) [default: ./results/bench-<timestamp>]",
    };

    public readonly Option<bool> Quick = new("--quick")
    {
        Description = "A small run for CI: two thread counts, 50 ms cells, one repetition",
    };

    public readonly Option<Dispatch?> DispatchMode = new("--dispatch")
    {
        Description = "How the loop calls the lock: struct (inlined) or interface (to measure dispatch cost)",
        Hidden = true,
    };

    public IEnumerable<Option> All => [Workload, Threads, Duration, CsWork, PrivateWork, Locks, Buckets, Keys, Repeat, Out, Quick, DispatchMode];

    /// <summary>
    /// What is wrong with the options taken together (each alone was checked when parsed), or null:
    /// the striped options need the striped workload, --cs-work the single one, and --locks must be of the workload.
    /// </summary>
    public string? Check(ParseResult parse)
    {
        BenchWorkload workload = parse.GetValue(Workload) ?? BenchWorkload.Single;
        if (workload == BenchWorkload.Single)
        {
            if (parse.GetResult(Buckets) is not null) return "--buckets: only with --workload striped";
            if (parse.GetResult(Keys) is not null) return "--keys: only with --workload striped";
        }
        else if (parse.GetResult(CsWork) is not null)
        {
            return "--cs-work: only with --workload single (a striped update is one bucket's entry)";
        }
        if (parse.GetValue(Locks)?.FirstOrDefault(c => c.Workload != workload) is { } other)
            return $"--locks: '{other.Name}' belongs to --workload {Name(other.Workload)}, not {Name(workload)} (known: {Contenders.NamesOf(workload)}, all)";
        return null;
    }

    private static string Name(BenchWorkload w) => w.ToString().ToLowerInvariant();

    /// <summary>The settings the parsed command line asks for: the defaults (or --quick's), overridden by each option given; <see cref="Check"/> first.</summary>
    public BenchSettings Settings(ParseResult parse, int cores)
    {
        bool quick = parse.GetValue(Quick);
        BenchWorkload workload = parse.GetValue(Workload) ?? BenchWorkload.Single;
        var s = quick ? BenchSettings.QuickRun(cores, workload) : BenchSettings.Default(cores, workload);
        int[]? buckets = parse.GetValue(Buckets) is { Length: > 0 } b ? BenchSettings.Normalize(b) : null;
        KeyPattern[]? keys = parse.GetValue(Keys) is { Length: > 0 } k ? [.. k.Distinct().Order()] : null;
        return s with
        {
            Stripes = buckets is null && keys is null ? s.Stripes
                : [.. from n in buckets ?? [BenchSettings.StripingBuckets, BenchSettings.PerBucketBuckets] from p in keys ?? [KeyPattern.Uniform] select (n, p)],
            Threads = parse.GetValue(Threads) is { Length: > 0 } t ? BenchSettings.Normalize(t) : s.Threads,
            DurationSeconds = parse.GetValue(Duration) ?? s.DurationSeconds,
            CsWork = parse.GetValue(CsWork) is { Length: > 0 } cs ? BenchSettings.Normalize(cs) : s.CsWork,
            PrivateWork = parse.GetValue(PrivateWork) is { Length: > 0 } pw ? BenchSettings.Normalize(pw) : s.PrivateWork,
            Locks = parse.GetValue(Locks) is { Length: > 0 } l ? [.. l.Where(c => c.Workload == workload)] : s.Locks,
            Repeat = parse.GetValue(Repeat) ?? s.Repeat,
            Out = parse.GetValue(Out),
            Dispatch = parse.GetValue(DispatchMode) ?? s.Dispatch,
        };
    }

    private static BenchWorkload? ParseWorkload(ArgumentResult r)
    {
        string v = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (Enum.TryParse(v, ignoreCase: true, out BenchWorkload w) && Enum.IsDefined(w) && !int.TryParse(v, out _)) return w;
        OptionValues.AddError(r, $"unknown workload '{v}' (known: single, striped)");
        return null;
    }

    private static KeyPattern[]? ParseKeys(ArgumentResult r)
    {
        var keys = new List<KeyPattern>();
        foreach (string item in OptionValues.Items(r))
        {
            if (!Enum.TryParse(item, ignoreCase: true, out KeyPattern k) || !Enum.IsDefined(k) || int.TryParse(item, out _))
            {
                OptionValues.AddError(r, $"unknown key pattern '{item}' (known: uniform, hot)");
                return null;
            }
            keys.Add(k);
        }
        if (keys.Count == 0)
        {
            OptionValues.AddError(r, "needs at least one value");
            return null;
        }
        return [.. keys];
    }

    private static Contender[]? ParseLocks(ArgumentResult r)
    {
        var chosen = new HashSet<Contender>();
        foreach (string item in OptionValues.Items(r))
        {
            if (item.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                chosen.UnionWith(AllOf(r));
                continue;
            }
            if (Contenders.Find(item) is not { } c)
            {
                OptionValues.AddError(r, Usage.UnknownLock(item, Contenders.NamesOf(WorkloadOf(r)) + ", all"));
                return null;
            }
            chosen.Add(c);
        }
        if (chosen.Count == 0)
        {
            OptionValues.AddError(r, "needs at least one lock name");
            return null;
        }
        return [.. LockCatalog.BenchContenders.Where(chosen.Contains)];
    }

    /// <summary>The workload the command line asks for, as far as the parser knows while parsing --locks.</summary>
    private static BenchWorkload WorkloadOf(ArgumentResult r)
    {
        string? given = (r.Parent?.Parent as CommandResult)?.Children.OfType<OptionResult>()
            .FirstOrDefault(o => o.Option.Name == "--workload")?.Tokens.LastOrDefault()?.Value;
        return string.Equals(given, "striped", StringComparison.OrdinalIgnoreCase) ? BenchWorkload.Striped : BenchWorkload.Single;
    }

    private static IReadOnlyList<Contender> AllOf(ArgumentResult r) => Contenders.For(WorkloadOf(r));
}
