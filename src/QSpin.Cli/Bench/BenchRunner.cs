using System.Text.Json;
using Spectre.Console;

namespace QSpin.Cli.Bench;

/// <summary>
/// Runs a whole <c>qspin bench</c>: starts one worker process per contender and warms it up, measures
/// the cache-line floor in one of them, runs every cell with a live progress bar, then writes the results (CSV, JSON, Markdown, plots) into a
/// temporary folder, shows the tables and renames the folder into place. When cancelled (Ctrl+C) the
/// cell under way is dropped, and what finished is written to <c>NAME-partial</c>, marked partial.
/// </summary>
internal sealed class BenchRunner(BenchSettings settings, IAnsiConsole console, TextWriter error, string command)
{
    /// <summary>Worker start-up (process start and runtime load), generous for a loaded CI machine.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The cache-line floor, once measured (or skipped).</summary>
    private FloorInfo? _floor;

    public int Run(CancellationToken cancel)
    {
        OutputFolder folder;
        try
        {
            folder = OutputFolder.Create(settings.Out ?? OutputFolder.DefaultPath(DateTime.Now));
        }
        catch (BenchArgumentException e)
        {
            return Usage.Reject(error, e.Message);
        }

        using (folder)
        {
            var started = DateTimeOffset.Now;
            string? loadBefore = BenchReport.LoadAverage();
            console.MarkupLineInterpolated($"qspin bench: {settings.Locks.Length} locks x {settings.Threads.Length} thread counts ({string.Join(", ", settings.Threads)}) x {settings.Shapes().Count()} {(settings.Workload == BenchWorkload.Single ? "sizes" : "shapes")} x {settings.Repeat} repetitions = {settings.CellCount} cells of {settings.DurationSeconds:0.###} s; about {Estimate():0} s");
            if (loadBefore is not null)
            {
                bool busy = double.TryParse(loadBefore.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out double load) && load > Environment.ProcessorCount / 2.0;
                string note = busy ? ": the machine is busy with other work, so every number will be noisy" : "";
                console.MarkupLineInterpolated($"{Environment.ProcessorCount} cores, load average {loadBefore}{note}");
            }
            var samples = new List<RepeatedSample>();
            var errors = new List<string>();
            var infos = new Dictionary<string, ContenderInfo>();
            string? interruption = null;
            try
            {
                Measure(samples, errors, infos, cancel);
            }
            catch (OperationCanceledException)
            {
                interruption = $"interrupted after {samples.Count} of {settings.CellCount} cells";
            }
            foreach (var (repeat, s) in samples.Where(r => r.Sample.MutualExclusionHeld == false))
                errors.Add($"{s.Lock}, {s.Threads} threads, run {repeat}: mutual exclusion violated (the shared counter lost updates)");

            var floor = _floor ?? FloorInfo.Absent(settings.FloorRounds, "the run was interrupted before it");
            var report = new BenchReport(
                BenchReport.SchemaName, interruption is null, interruption, command, started, DateTimeOffset.Now,
                BenchReport.ThisMachine() with { LoadAverageBefore = loadBefore, LoadAverageAfter = BenchReport.LoadAverage() }, Describe(settings),
                [.. settings.Locks.Select(c => infos.GetValueOrDefault(c.Name) ?? new ContenderInfo(c.Name, c.Kind, c.Description, null, null, null))],
                BenchReport.Summarize(samples, [.. settings.Locks.Select(c => c.Name)], floor.OneWay.Median),
                samples, errors)
            {
                Floor = floor,
            };

            if (infos.Count > 0) console.MarkupLineInterpolated($"worker priority: {string.Join(", ", infos.Values.Select(i => i.Priority).Distinct())}");
            if (report.Summary.Count > 0) ResultTable.Write(console, report);
            Write(report, folder);
            string result = folder.Commit(report.Complete);
            foreach (string e in errors) error.WriteLine("error: " + e);
            if (!report.Complete) console.MarkupLineInterpolated($"[yellow]{interruption}: partial results kept[/]");
            console.MarkupLineInterpolated($"results: [bold]{result}[/]");
            return !report.Complete ? ExitCodes.Interrupted : errors.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }
    }

    /// <summary>Seconds the run should take: the cells plus each worker's start and warm-up.</summary>
    public double Estimate() =>
        settings.CellCount * (settings.DurationSeconds + 0.02) + settings.Locks.Length * (0.5 + settings.WarmupSeconds)
        + CacheLineFloor.Settle.TotalSeconds + CacheLineFloor.Measurements * 2.0 * settings.FloorRounds * 100e-9;

    private void Measure(List<RepeatedSample> samples, List<string> errors, Dictionary<string, ContenderInfo> infos, CancellationToken cancel)
    {
        var workers = new Dictionary<string, WorkerProcess>();
        // The workers start together (runtime start-up is most of a second each); their warm-ups and
        // every measurement then run one at a time.
        var launches = settings.Locks.Select(c => (Contender: c, Task: Task.Run(() => WorkerProcess.Start(c, StartTimeout)))).ToList();
        var taken = new HashSet<string>();
        try
        {
            var progress = console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn());
            progress.RefreshRate = TimeSpan.FromMilliseconds(250); // the progress thread shares the cores with the measured threads
            progress.Start(ctx =>
            {
                var starting = ctx.AddTask("starting workers", maxValue: settings.Locks.Length);
                foreach (var (c, task) in launches)
                {
                    cancel.ThrowIfCancellationRequested();
                    starting.Description = $"warming up {c.Name}";
                    try
                    {
                        taken.Add(c.Name);
                        var w = task.GetAwaiter().GetResult();
                        workers[c.Name] = w;
                        infos[c.Name] = new ContenderInfo(c.Name, c.Kind, c.Description, w.Hello.Mode, w.Hello.Reason, w.Hello.Priority);
                        WarmUp(w, cancel);
                    }
                    catch (Exception e) when (e is WorkerFailedException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        errors.Add(e.Message);
                        if (workers.Remove(c.Name, out var failed)) failed.Dispose();
                    }
                    starting.Increment(1);
                }
                starting.Description = "measuring the cache-line floor";
                _floor = MeasureFloor(workers, errors, cancel);
                console.MarkupLineInterpolated($"{_floor.Describe()}");
                starting.Description = "workers ready";

                var cells = ctx.AddTask("measuring", maxValue: settings.CellCount);
                foreach (var (repeat, spec, c) in settings.Cells())
                {
                    cancel.ThrowIfCancellationRequested();
                    cells.Description = $"{c.Name,-14} {spec.Threads,4} threads  run {repeat}/{settings.Repeat}";
                    if (workers.TryGetValue(c.Name, out var w))
                    {
                        try
                        {
                            samples.Add(new RepeatedSample(repeat, w.Run(spec, CellTimeout(spec), cancel)));
                        }
                        catch (WorkerFailedException e)
                        {
                            errors.Add($"{c.Name}, {spec.Threads} threads, run {repeat}: {e.Message}");
                            workers.Remove(c.Name); // a worker that failed once is not trusted again
                            w.Dispose();
                        }
                    }
                    cells.Increment(1);
                }
                cells.Description = "done";
            });
        }
        finally
        {
            foreach (var (c, task) in launches)
            {
                if (taken.Contains(c.Name)) continue;
                try
                {
                    task.GetAwaiter().GetResult().Dispose(); // started but never used (cancelled meanwhile)
                }
                catch (Exception e) when (e is WorkerFailedException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // it never started; nothing to stop
                }
            }
            foreach (var w in workers.Values) w.Dispose();
        }
    }

    /// <summary>
    /// The cache-line floor, in the first worker that started (after every warm-up, so nothing else
    /// runs): skipped on one core. A worker that fails it is dropped, as after a failed cell.
    /// </summary>
    private FloorInfo MeasureFloor(Dictionary<string, WorkerProcess> workers, List<string> errors, CancellationToken cancel)
    {
        int rounds = settings.FloorRounds;
        if (CacheLineFloor.SkipReason(Environment.ProcessorCount) is { } why) return FloorInfo.Absent(rounds, why);
        if (settings.Locks.FirstOrDefault(c => workers.ContainsKey(c.Name)) is not { } first) return FloorInfo.Absent(rounds, "no worker started");
        var w = workers[first.Name];
        var request = new FloorRequest(rounds, CacheLineFloor.Measurements);
        cancel.WaitHandle.WaitOne(CacheLineFloor.Settle);
        cancel.ThrowIfCancellationRequested();
        // The worker stops each measurement after CacheLineFloor.Limit and says so; this is for a worker that hangs.
        var timeout = StartTimeout + CacheLineFloor.Limit * request.Times;
        try
        {
            return new FloorInfo(rounds, w.MeasureFloor(request, timeout, cancel), null);
        }
        catch (WorkerFailedException e)
        {
            errors.Add("cache-line floor: " + e.Message);
            workers.Remove(first.Name);
            w.Dispose();
            return FloorInfo.Absent(rounds, "its worker failed");
        }
    }

    /// <summary>
    /// Warm-up: one run with twice as many threads as cores, so that the lock's out-of-line paths
    /// (queueing, and in paravirt mode parking) run long enough for the JIT to compile them at Tier 1.
    /// The measured loop itself is compiled optimised on first use.
    /// </summary>
    private void WarmUp(WorkerProcess w, CancellationToken cancel)
    {
        var spec = settings.Shapes().First() with { Threads = 2 * Environment.ProcessorCount, DurationSeconds = settings.WarmupSeconds };
        w.Run(spec, CellTimeout(spec), cancel);
    }

    /// <summary>A cell that takes this long has a hung lock: its worker is killed.</summary>
    private static TimeSpan CellTimeout(WorkloadSpec spec) => TimeSpan.FromSeconds(spec.DurationSeconds * 3 + 60);

    private static SettingsInfo Describe(BenchSettings s) => new(
        s.Threads, s.DurationSeconds, s.CsWork, s.PrivateWork, [.. s.Locks.Select(c => c.Name)], s.Repeat, s.WarmupSeconds,
        WorkloadSpec.DefaultSampleEvery, s.Quick, s.Dispatch)
    {
        Workload = s.Workload,
        Stripes = [.. s.Stripes.Select(x => new StripeInfo(x.Buckets, x.Keys))],
    };

    /// <summary>Every output file, into the temporary folder.</summary>
    private static void Write(BenchReport report, OutputFolder folder)
    {
        File.WriteAllText(folder.PathOf("results.json"), JsonSerializer.Serialize(report, BenchJson.File));
        File.WriteAllText(folder.PathOf("results.csv"), CsvReport.Summary(report.Summary));
        File.WriteAllText(folder.PathOf("samples.csv"), CsvReport.Samples(report.Samples, report.FloorNs));
        File.WriteAllText(folder.PathOf("results.md"), ResultTable.Markdown(report));
        if (report.Summary.Count > 0) Plots.WriteAll(report, folder.TempPath);
        if (!report.Complete) File.WriteAllText(folder.PathOf("PARTIAL"), report.Interruption + "\n");
    }
}
