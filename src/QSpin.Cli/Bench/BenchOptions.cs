using System.CommandLine;
using System.CommandLine.Parsing;

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
        Description = $"Contenders to run, or 'all' [default: all]: {Contenders.Names}",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = ParseLocks,
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

    public IEnumerable<Option> All => [Threads, Duration, CsWork, PrivateWork, Locks, Repeat, Out, Quick, DispatchMode];

    /// <summary>The settings the parsed command line asks for: the defaults (or --quick's), overridden by each option given.</summary>
    public BenchSettings Settings(ParseResult parse, int cores)
    {
        bool quick = parse.GetValue(Quick);
        var s = quick ? BenchSettings.QuickRun(cores) : BenchSettings.Default(cores);
        return s with
        {
            Threads = parse.GetValue(Threads) is { Length: > 0 } t ? BenchSettings.Normalize(t) : s.Threads,
            DurationSeconds = parse.GetValue(Duration) ?? s.DurationSeconds,
            CsWork = parse.GetValue(CsWork) is { Length: > 0 } cs ? BenchSettings.Normalize(cs) : s.CsWork,
            PrivateWork = parse.GetValue(PrivateWork) is { Length: > 0 } pw ? BenchSettings.Normalize(pw) : s.PrivateWork,
            Locks = parse.GetValue(Locks) is { Length: > 0 } l ? l : s.Locks,
            Repeat = parse.GetValue(Repeat) ?? s.Repeat,
            Out = parse.GetValue(Out),
            Dispatch = parse.GetValue(DispatchMode) ?? s.Dispatch,
        };
    }

    private static Contender[]? ParseLocks(ArgumentResult r)
    {
        var chosen = new HashSet<Contender>();
        foreach (string item in OptionValues.Items(r))
        {
            if (item.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                chosen.UnionWith(Contenders.All);
                continue;
            }
            if (Contenders.Find(item) is not { } c)
            {
                OptionValues.AddError(r, Usage.UnknownLock(item, Contenders.Names + ", all"));
                return null;
            }
            chosen.Add(c);
        }
        if (chosen.Count == 0)
        {
            OptionValues.AddError(r, "needs at least one lock name");
            return null;
        }
        return [.. Contenders.All.Where(chosen.Contains)];
    }
}
