using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace QSpin.Cli.Torture;

/// <summary><c>qspin torture</c>: the kernel's locktorture for QSpin and, for comparison, .NET's own locks.</summary>
internal static class TortureCommand
{
    public static Command Create()
    {
        var type = new Option<string>("--type")
        {
            Description = $"Lock to torture: {TortureLocks.Help}.",
            DefaultValueFactory = _ => TortureLocks.QSpin,
        };
        type.Validators.Add(r =>
        {
            string? v = r.GetValueOrDefault<string>();
            if (!TortureLocks.IsKnown(v)) r.AddError($"--type: unknown lock type '{v}'; expected one of {string.Join(", ", TortureLocks.Types)}.");
        });
        Option<int> writers = Int("--writers", 2 * Environment.ProcessorCount, 1, 16_383, "Writer threads (default 2 x CPUs).");
        Option<double> duration = Seconds("--duration", 60, positive: true, "Seconds to run.");
        Option<int> longHold = Int("--long-hold", 100, 0, 60_000, "Milliseconds of the rare long hold (0: none); its odds per write are 1 in writers x 2000 x this.");
        Option<double> acqLimit = Seconds("--acq-limit", 10, positive: true, "Watchdog: seconds one acquisition may wait before the run FAILS with a dump of the lock.");
        Option<double> statInterval = Seconds("--stat-interval", 10, positive: false, "Seconds between 'Writes:' lines (0: only the final one).");
        Option<double> stutter = Seconds("--stutter", 0, positive: false, "Run this many seconds, then pause as long, repeatedly (0: off).");
        Option<double> shuffle = Seconds("--shuffle", 0, positive: false, "Seconds between CPU-affinity shuffles of the writers, where the OS allows (0: off).");
        Option<double> churn = Seconds("--churn", 0, positive: false, "Seconds each writer thread lives before a new thread replaces it (0: off).");
        Option<int> nested = Int("--nested", 0, 0, TortureOptions.MaxNested, "Extra locks, a random subset taken in a fixed order before the main lock (0-8).");
        Option<int> slots = Int("--slots", 0, 0, LockWord.MaxSlots, "qspin: limit QSpin's thread slots, so churned threads recycle exited threads' slots (0: library default).");
        Option<int> seed = Int("--seed", 0, int.MinValue, int.MaxValue, "Seed of the writers' random delays (0: random; the seed used is printed).");
        var cmd = new Command("torture", "Torture a lock like the kernel's locktorture: writers check that they are alone inside; a watchdog turns hangs into a FAILURE with a dump.")
        {
            type, writers, duration, longHold, acqLimit, statInterval, stutter, shuffle, churn, nested, slots, seed,
        };
        cmd.SetAction(r =>
        {
            int s = r.GetValue(seed);
            var options = new TortureOptions(
                r.GetValue(type)!, r.GetValue(writers), r.GetValue(duration), r.GetValue(longHold), r.GetValue(acqLimit),
                r.GetValue(statInterval), r.GetValue(stutter), r.GetValue(shuffle), r.GetValue(churn), r.GetValue(nested),
                r.GetValue(slots), s != 0 ? s : Random.Shared.Next(1, int.MaxValue));
            if (options.Check() is { } error)
            {
                r.InvocationConfiguration.Error.WriteLine($"qspin: {error}");
                return 2;
            }
            return TortureRun.Run(options, r.InvocationConfiguration.Output);
        });
        return cmd;
    }

    private static Option<int> Int(string name, int defaultValue, int min, int max, string description) =>
        Parsed(name, defaultValue, description, "a whole number",
            text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null,
            v => v >= min && v <= max ? null : string.Create(CultureInfo.InvariantCulture, $"from {min} to {max}"));

    private static Option<double> Seconds(string name, double defaultValue, bool positive, string description) =>
        Parsed(name, defaultValue, description, "a number of seconds",
            text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null,
            v => double.IsFinite(v) && (positive ? v > 0 : v >= 0) && v <= 1e6 ? null : positive ? "more than 0 seconds (at most 1e6)" : "0 or more seconds (at most 1e6)");

    /// <summary>An option whose bad value becomes one parse error naming the option (never an exception).</summary>
    private static Option<T> Parsed<T>(string name, T defaultValue, string description, string kind, Func<string, T?> parse, Func<T, string?> check)
        where T : struct
    {
        return new Option<T>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
                if (parse(text) is not T v)
                {
                    r.AddError($"{name} must be {kind}, got '{text}'.");
                    return defaultValue;
                }
                if (check(v) is { } range) r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {range}, got {v}."));
                return v;
            },
        };
    }
}
