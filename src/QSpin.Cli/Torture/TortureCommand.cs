using System.CommandLine;

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
            if (!TortureLocks.IsKnown(v)) r.AddError($"--type: {Usage.UnknownLock(v ?? "", string.Join(", ", TortureLocks.Types))}");
        });
        Option<int> writers = OptionValues.Int("--writers", 2 * Environment.ProcessorCount, 1, 16_383, "number of writers", "Writer threads (default 2 x CPUs).");
        Option<double> duration = OptionValues.Seconds("--duration", 60, positive: true, "Seconds to run.");
        Option<int> longHold = OptionValues.Int("--long-hold", 100, 0, 60_000, "long hold in milliseconds", "Milliseconds of the rare long hold (0: none); its odds per write are 1 in writers x 2000 x this.");
        Option<double> acqLimit = OptionValues.Seconds("--acq-limit", 10, positive: true, "Watchdog: seconds one acquisition may wait before the run FAILS with a dump of the lock.");
        Option<double> statInterval = OptionValues.Seconds("--stat-interval", 10, positive: false, "Seconds between 'Writes:' lines (0: only the final one).");
        Option<double> stutter = OptionValues.Seconds("--stutter", 0, positive: false, "Run this many seconds, then pause as long, repeatedly (0: off).");
        Option<double> shuffle = OptionValues.Seconds("--shuffle", 0, positive: false, "Seconds between CPU-affinity shuffles of the writers, where the OS allows (0: off).");
        Option<double> churn = OptionValues.Seconds("--churn", 0, positive: false, "Seconds each writer thread lives before a new thread replaces it (0: off).");
        Option<int> nested = OptionValues.Int("--nested", 0, 0, TortureOptions.MaxNested, "number of nested locks", "Extra locks, a random subset taken in a fixed order before the main lock (0-8).");
        Option<int> slots = OptionValues.Int("--slots", 0, 0, LockWord.MaxSlots, "slot limit", "qspin: limit QSpin's thread slots, so churned threads recycle exited threads' slots (0: library default).");
        Option<int> seed = OptionValues.Int("--seed", 0, int.MinValue, int.MaxValue, "seed", "Seed of the writers' random delays (0: random; the seed used is printed).");
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
            if (options.Check() is { } problem) return Usage.Reject(r.InvocationConfiguration.Error, problem);
            return TortureRun.Run(options, r.InvocationConfiguration.Output);
        });
        return cmd;
    }
}
