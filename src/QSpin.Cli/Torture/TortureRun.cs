using System.Diagnostics;
using System.Globalization;
using QSpin.Cli.Locks;

namespace QSpin.Cli.Torture;

/// <summary>
/// One <c>qspin torture</c> run: starts the writers and the stress threads (watchdog, stutter,
/// shuffle, churn), prints the statistics line every interval, stops everything after the duration,
/// checks that every lock is free and every record counted every acquisition, and prints the
/// verdict. Exit code <see cref="ExitCodes.Ok"/> only on SUCCESS.
/// </summary>
internal sealed class TortureRun
{
    /// <summary>Failures printed in full; later ones are only counted.</summary>
    private const int MaxPrintedFailures = 10;

    private readonly TextWriter _out;
    private readonly bool _outIsConsole;
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _mode;
    private long _failures;
    private int _ended;

    private TortureRun(TortureOptions options, TextWriter output, ITortureLockArray[] locks, string? mode)
    {
        Options = options;
        _out = TextWriter.Synchronized(output);
        _outIsConsole = ReferenceEquals(output, Console.Out);
        Locks = locks;
        _mode = mode;
        Records = [.. locks.Select(l => Enumerable.Range(0, l.Length).Select(_ => new GuardedRecord()).ToArray())];
        Writers = [.. Enumerable.Range(0, options.Writers).Select(i => new Writer(this, i))];
        Shuffler = options.ShuffleSeconds > 0 ? Shuffler.TryCreate(out ShuffleNote) : null;
    }

    public TortureOptions Options { get; }

    /// <summary>The nested locks, then the main lock (last), in acquisition order; each is one lock or an array of them.</summary>
    public ITortureLockArray[] Locks { get; }

    /// <summary>One record per lock and index: <c>Records[k][i]</c> is what index i of lock k protects.</summary>
    public GuardedRecord[][] Records { get; }

    public Writer[] Writers { get; }

    public Stutter Stutter { get; } = new();

    public Shuffler? Shuffler { get; }

    /// <summary>Why shuffling was skipped, when it was asked for and could not be done.</summary>
    public readonly string? ShuffleNote;

    public bool Stopping => _stop.IsCancellationRequested;

    /// <summary>Runs the torture described by <paramref name="options"/>, writing to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(TortureOptions options, TextWriter output)
    {
        string? mode = null;
        ITortureLockArray[] locks;
        try
        {
            if (TortureLocks.RunsInQSpinMode(options.Type)) mode = $"{QSpinOps.Mode} ({QSpinOps.Reason})";
            locks = [.. Enumerable.Range(0, options.Nested + 1).Select(_ => TortureLocks.Create(options.Type))];
        }
        catch (InvalidOperationException e)
        {
            output.WriteLine($"qspin torture: {e.Message}");
            return ExitCodes.BadArgument;
        }

        int slotLimit = ThreadSlots.SlotLimit;
        if (options.Slots > 0) ThreadSlots.SlotLimit = options.Slots;
        try
        {
            var run = new TortureRun(options, output, locks, mode);
            return run.Execute();
        }
        finally
        {
            ThreadSlots.SlotLimit = slotLimit;
        }
    }

    /// <summary>Counts a failure of <paramref name="writer"/> on index <paramref name="index"/> of lock <paramref name="lockIndex"/> (-1: none) and prints the first few.</summary>
    public void ReportFailure(Writer writer, int lockIndex, int index, string problem)
    {
        Interlocked.Increment(ref writer.Failures);
        long n = Interlocked.Increment(ref _failures);
        string where = lockIndex < 0 ? "" : " " + LockName(lockIndex, index);
        if (n <= MaxPrintedFailures) _out.WriteLine($"FAILURE: writer {writer.Id} ({writer.Thread?.Name}){where}: {problem}");
        else if (n == MaxPrintedFailures + 1) _out.WriteLine("(further failures are counted, not printed)");
    }

    /// <summary>
    /// Called by the watchdog: prints the report, the dump and a FAILURE summary, and ends the
    /// process, whatever the writer threads are doing. Does nothing if the run has already ended.
    /// </summary>
    public void EndByWatchdog(string headline, string dump)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        Interlocked.Increment(ref _failures);
        string report = string.Join(Environment.NewLine,
            headline,
            dump.TrimEnd(),
            TortureStats.Line(Writers, Interlocked.Read(ref _failures)),
            Options.Describe(_mode),
            "End of test: FAILURE");
        _out.WriteLine(report);
        _out.Flush();
        // In-process callers (tests) write to a buffer that dies with the process: say it on stderr too.
        if (!_outIsConsole) Console.Error.WriteLine(report);
        Environment.Exit(ExitCodes.Failed);
    }

    private int Execute()
    {
        long recycledBefore = Interlocked.Read(ref ThreadSlots.RecycledSlots);
        long noNodeBefore = Interlocked.Read(ref ThreadSlots.NoNodeCount);
        _out.WriteLine($"qspin torture: {Options.Describe(_mode)}");
        if (ShuffleNote is not null) _out.WriteLine($"note: {ShuffleNote}");

        using var watchdogStop = new CancellationTokenSource();
        Thread watchdog = StartHelper("torture watchdog", () => Watchdog.Run(this, watchdogStop.Token));
        foreach (Writer w in Writers) w.Start();
        Thread? stutter = Options.StutterSeconds > 0 ? StartHelper("torture stutter", () => Stutter.Run(Options.StutterSeconds, _stop.Token)) : null;
        Thread? shuffle = Shuffler is { } s ? StartHelper("torture shuffler", () => s.Run(Options.ShuffleSeconds, Options.Seed, _stop.Token)) : null;
        long churned = 0;
        Thread? churn = Options.ChurnSeconds > 0 ? StartHelper("torture churn", () => churned = Churn.Run(Writers, Options.ChurnSeconds, _stop.Token)) : null;

        PrintStatsUntilTheEnd();

        _stop.Cancel();
        Stutter.Release();
        churn?.Join();
        shuffle?.Join();
        stutter?.Join();
        foreach (Writer w in Writers) w.Thread!.Join(); // a writer that never returns is the watchdog's to report
        watchdogStop.Cancel();
        watchdog.Join();

        if (Interlocked.Exchange(ref _ended, 1) != 0) Thread.Sleep(Timeout.Infinite); // the watchdog is ending the process

        FinalChecks();
        long failures = Interlocked.Read(ref _failures);
        _out.WriteLine(TortureStats.Line(Writers, failures));
        _out.WriteLine(Summary(churned, Interlocked.Read(ref ThreadSlots.RecycledSlots) - recycledBefore, Interlocked.Read(ref ThreadSlots.NoNodeCount) - noNodeBefore));
        if (_mode is not null) _out.WriteLine(LockEventsReport.Format(QSpinStats.Snapshot()));
        _out.WriteLine(Options.Describe(_mode));
        _out.WriteLine(failures == 0 ? "End of test: SUCCESS" : "End of test: FAILURE");
        _out.Flush();
        Stutter.Dispose();
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static Thread StartHelper(string name, Action body)
    {
        var t = new Thread(() => body()) { IsBackground = true, Name = name, Priority = ThreadPriority.AboveNormal };
        t.Start();
        return t;
    }

    private void PrintStatsUntilTheEnd()
    {
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(Options.DurationSeconds);
        var interval = TimeSpan.FromSeconds(Options.StatIntervalSeconds);
        TimeSpan nextStat = Options.StatIntervalSeconds > 0 ? interval : TimeSpan.MaxValue;
        while (true)
        {
            TimeSpan now = clock.Elapsed;
            if (now >= duration) return;
            if (now >= nextStat)
            {
                _out.WriteLine(TortureStats.Line(Writers, Interlocked.Read(ref _failures)));
                nextStat += interval;
            }
            TimeSpan wake = nextStat < duration ? nextStat : duration;
            Thread.Sleep(TimeSpan.FromTicks(Math.Clamp((wake - now).Ticks, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond)));
        }
    }

    /// <summary>"lock 2" for a single lock, "lock 2[5]" for index 5 of an array.</summary>
    public string LockName(int lockIndex, int index) =>
        Locks[lockIndex].Length == 1 ? $"lock {lockIndex}" : $"lock {lockIndex}[{index}]";

    /// <summary>After every writer has left: each record counts every acquisition of its lock and index, and each lock is free.</summary>
    private void FinalChecks()
    {
        for (int k = 0; k < Locks.Length; k++)
        {
            for (int i = 0; i < Locks[k].Length; i++)
            {
                long acquisitions = Writers.Sum(w => w.Acquisitions[k][i]);
                if (Records[k][i].CheckFinal(acquisitions) is { } problem) FinalFailure(LockName(k, i), problem);
            }
            if (Locks[k].CheckIdle() is { } idle) FinalFailure($"lock {k}", idle);
        }
    }

    private void FinalFailure(string where, string problem)
    {
        long n = Interlocked.Increment(ref _failures);
        if (n <= MaxPrintedFailures) _out.WriteLine($"FAILURE: {where} at the end: {problem}");
    }

    private string Summary(long churned, long recycledSlots, long noNode)
    {
        var inv = CultureInfo.InvariantCulture;
        long maxWait = Writers.Max(w => w.MaxWaitTicks);
        string stress = string.Create(inv,
            $"Stress: long holds {Writers.Sum(w => w.LongHolds)}, 2us delays {Writers.Sum(w => w.ShortDelays)}, preemptions {Writers.Sum(w => w.Preemptions)}, " +
            $"stutter pauses {Stutter.Pauses}, shuffles {Shuffler?.Shuffles ?? 0} (applied {Shuffler?.Applied ?? 0}, refused {Shuffler?.Refused ?? 0}), " +
            $"threads replaced {churned}, longest acquisition wait {Watchdog.Seconds(maxWait)}");
        if (!TortureLocks.RunsInQSpinMode(Options.Type)) return stress;
        return stress + Environment.NewLine + string.Create(inv,
            $"QSpin slots: limit {ThreadSlots.SlotLimit}, high water {ThreadSlots.SlotsInUseHighWater}, recycled this run {recycledSlots}, acquisitions without a node this run {noNode}");
    }
}
