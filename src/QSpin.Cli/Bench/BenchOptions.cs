using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace QSpin.Cli.Bench;

/// <summary>
/// The options of <c>qspin bench</c> and their parsing. Lists take spaces or commas
/// (<c>--threads 1 2 4</c> or <c>--threads 1,2,4</c>). Bad values are parse errors whose one-line
/// message starts with the option's name.
/// </summary>
internal sealed class BenchOptions
{
    public const int MaxThreads = 1024;
    public const double MaxDurationSeconds = 600;

    public readonly Option<int[]?> Threads = new("--threads")
    {
        Description = "Thread counts to sweep [default: 1, 2, cores, 2x, 4x and 8x cores; --quick: 1 and 2x cores]",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => ParseInts(r, 1, MaxThreads, "thread count"),
    };

    public readonly Option<double?> Duration = new("--duration")
    {
        Description = $"Measured time per cell, in seconds or with a unit: 0.4, 400ms, 2s [default: {BenchSettings.DefaultDurationSeconds}; --quick: 0.05]",
        CustomParser = ParseDuration,
    };

    public readonly Option<int[]?> CsWork = new("--cs-work")
    {
        Description = $"Critical section sizes to sweep: cache lines of shared state updated under the lock [default: {BenchSettings.DefaultCsLines}]",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => ParseInts(r, 0, 4096, "number of cache lines"),
    };

    public readonly Option<int[]?> PrivateWork = new("--private-work")
    {
        Description = $"Private work sizes to sweep: xorshift steps between release and the next acquisition [default: {BenchSettings.DefaultPrivateWork}]",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => ParseInts(r, 0, 10_000_000, "number of steps"),
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
        CustomParser = r => ParseInts(r, 1, 1000, "repetition count") is [var n] ? n : null,
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

    /// <summary>The option's tokens split on commas and whitespace.</summary>
    private static IEnumerable<string> Items(ArgumentResult r) =>
        r.Tokens.SelectMany(t => t.Value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string OptionName(ArgumentResult r) => (r.Parent as OptionResult)?.Option.Name ?? "argument";

    private static int[]? ParseInts(ArgumentResult r, int min, int max, string what)
    {
        var values = new List<int>();
        foreach (string item in Items(r))
        {
            if (!int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            {
                r.AddError($"{OptionName(r)}: '{item}' is not a whole number");
                return null;
            }
            if (v < min || v > max)
            {
                r.AddError($"{OptionName(r)}: {v} is not a valid {what} (allowed: {min} to {max})");
                return null;
            }
            values.Add(v);
        }
        if (values.Count == 0)
        {
            r.AddError($"{OptionName(r)}: needs at least one value");
            return null;
        }
        return [.. values];
    }

    private static double? ParseDuration(ArgumentResult r)
    {
        string text = string.Concat(r.Tokens.Select(t => t.Value)).Trim().ToLowerInvariant();
        double scale = 1;
        if (text.EndsWith("ms", StringComparison.Ordinal)) (text, scale) = (text[..^2], 1e-3);
        else if (text.EndsWith('s')) text = text[..^1];
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
        {
            r.AddError($"--duration: '{string.Concat(r.Tokens.Select(t => t.Value))}' is not a duration (examples: 0.4, 400ms, 2s)");
            return null;
        }
        v *= scale;
        if (v < 0.001 || v > MaxDurationSeconds)
        {
            r.AddError($"--duration: {v.ToString(CultureInfo.InvariantCulture)} s is out of range (allowed: 1ms to {MaxDurationSeconds} s)");
            return null;
        }
        return v;
    }

    private static Contender[]? ParseLocks(ArgumentResult r)
    {
        var chosen = new HashSet<Contender>();
        foreach (string item in Items(r))
        {
            if (item.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                chosen.UnionWith(Contenders.All);
                continue;
            }
            if (Contenders.Find(item) is not { } c)
            {
                r.AddError($"--locks: unknown lock '{item}' (known: {Contenders.Names}, all)");
                return null;
            }
            chosen.Add(c);
        }
        if (chosen.Count == 0)
        {
            r.AddError("--locks: needs at least one lock name");
            return null;
        }
        return [.. Contenders.All.Where(chosen.Contains)];
    }
}
