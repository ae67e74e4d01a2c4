using System.Globalization;

namespace QSpin.Cli.Torture;

/// <summary>The settings of one <c>qspin torture</c> run, already validated by <see cref="TortureCommand"/>.</summary>
/// <param name="Type">The lock under test: one of <see cref="TortureLocks.Types"/>.</param>
/// <param name="Writers">Logical writers; each is one thread at a time (churn replaces the thread, not the writer).</param>
/// <param name="DurationSeconds">How long the writers run.</param>
/// <param name="LongHoldMs">Length of the rare long hold; 0 turns long holds off.</param>
/// <param name="AcqLimitSeconds">The watchdog's limit on one wait to acquire a lock.</param>
/// <param name="StatIntervalSeconds">Seconds between statistics lines; 0 prints only the final one.</param>
/// <param name="StutterSeconds">Run this long, then pause this long, over and over; 0 = off.</param>
/// <param name="ShuffleSeconds">Seconds between CPU-affinity shuffles of the writers; 0 = off.</param>
/// <param name="ChurnSeconds">Life time of a writer thread before a new thread replaces it; 0 = off.</param>
/// <param name="Nested">Extra locks taken, a random subset in a fixed order, before the main lock.</param>
/// <param name="Slots">QSpin thread-slot limit for the run (0 = the library's); a low limit makes churned threads recycle slots.</param>
/// <param name="Seed">Seed of the writers' random choices (printed, so the mix of delays can be repeated).</param>
internal sealed record TortureOptions(
    string Type,
    int Writers,
    double DurationSeconds,
    int LongHoldMs,
    double AcqLimitSeconds,
    double StatIntervalSeconds,
    double StutterSeconds,
    double ShuffleSeconds,
    double ChurnSeconds,
    int Nested,
    int Slots,
    int Seed)
{
    /// <summary>Most nested locks, as in the kernel's locktorture (MAX_NESTED_LOCKS).</summary>
    public const int MaxNested = 8;

    /// <summary>What is wrong with the settings taken together (each one alone was checked when parsed), or null.</summary>
    public string? Check() =>
        AcqLimitSeconds * 1000 <= LongHoldMs
            ? string.Create(CultureInfo.InvariantCulture, $"--acq-limit: {AcqLimitSeconds} s must be longer than --long-hold ({LongHoldMs} ms), or a long hold would trip the watchdog")
            : null;

    /// <summary>The parameters as one line, printed at the start and again at the end of the run.</summary>
    public string Describe(string? modeDescription) => string.Create(CultureInfo.InvariantCulture,
        $"type={Type}{(modeDescription is null ? "" : " mode=" + modeDescription)} writers={Writers} cpus={Environment.ProcessorCount} " +
        $"duration={DurationSeconds}s long-hold={LongHoldMs}ms acq-limit={AcqLimitSeconds}s stat-interval={StatIntervalSeconds}s " +
        $"stutter={StutterSeconds}s shuffle={ShuffleSeconds}s churn={ChurnSeconds}s nested={Nested} " +
        $"slots={(Slots == 0 ? "default" : Slots.ToString(CultureInfo.InvariantCulture))} seed={Seed}");
}
