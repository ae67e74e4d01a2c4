using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Coyote;
using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.SystematicTesting;

namespace QSpin.Coyote.Tests;

/// <summary>What one engine run found.</summary>
internal sealed record RunResult(
    Scenario Scenario,
    Mutant Mutant,
    uint Seed,
    uint IterationsRun,
    uint? BugIteration,
    string? BugReport,
    string ReproducibleTrace,
    string ReadableTrace,
    double Seconds,
    TestReport Report,
    Dictionary<string, long> Stats)
{
    public bool FoundBug => BugReport is not null;

    public string Summary()
    {
        var sb = new StringBuilder();
        sb.Append($"[{Scenario.Name}, mutant {Mutant}, seed {Seed}] ");
        sb.Append(FoundBug ? $"BUG at iteration {BugIteration}" : "no bug");
        sb.Append($"; {IterationsRun} iteration(s) in {Seconds:F1} s ({(Seconds > 0 ? IterationsRun / Seconds : 0):F0}/s)");
        sb.Append($"; scheduling steps per iteration max {Report.MaxExploredFairSteps} (bound {CoyoteRunner.MaxSteps})");
        sb.Append($", controlled operations max {Report.MaxControlledOperations}");
        if (FoundBug) sb.Append(Environment.NewLine).Append("  ").Append(BugReport);
        foreach (var (k, v) in Stats.OrderBy(p => p.Key, StringComparer.Ordinal))
            sb.Append(Environment.NewLine).Append($"  {v,9}  {k}");
        return sb.ToString();
    }
}

/// <summary>
/// Runs a <see cref="Scenario"/> under Coyote's systematic testing engine with QSpin's hooks mapped
/// onto Coyote: every atomic step of the lock is <see cref="SchedulingPoint.Interleave"/>, every spin
/// iteration <see cref="SchedulingPoint.Yield"/>, and the futex is <see cref="FutexModel"/>.
/// </summary>
internal static unsafe class CoyoteRunner
{
    /// <summary>
    /// Scheduling steps per iteration before Coyote reports a livelock (a lost hand-off spins forever).
    /// The clean scenarios need at most a few hundred (see each run's 'steps max' line).
    /// </summary>
    public const uint MaxSteps = 5000;

    /// <summary>The random-strategy seed: 1, or <c>QSPIN_COYOTE_SEED</c> to explore other schedules.</summary>
    /// <remarks>Iteration i with seed s runs the schedule that iteration 1 runs with seed s+i-1, so seeds
    /// explore different schedules only when they lie further apart than the iteration budgets.</remarks>
    public static uint Seed =>
        uint.TryParse(Environment.GetEnvironmentVariable("QSPIN_COYOTE_SEED"), out uint s) ? s : 1;

    /// <summary>Where failing runs leave their replay files (next to the test assembly).</summary>
    public static string TraceDirectory => Path.Combine(AppContext.BaseDirectory, "coyote-traces");

    public static RunResult Run(Scenario scenario, Mutant mutant, uint iterations, uint seed, string? replayTrace = null)
    {
        Configuration config = Configuration.Create()
            .WithMaxSchedulingSteps(MaxSteps, MaxSteps) // both bounds: no unfair-then-fair phase split
            .WithFailureOnMaxStepsBoundEnabled(true) // a spin that never ends is a bug
            .WithPartiallyControlledConcurrencyAllowed(false) // anything Coyote does not control is a bug
            .WithTelemetryEnabled(false);
        config = replayTrace is null
            ? config.WithTestingIterations(iterations).WithRandomStrategy().WithRandomGeneratorSeed(seed)
            : config.WithReproducibleTrace(replayTrace);

        Install(scenario, mutant);
        try
        {
            Stats.Reset();
            uint iteration = 0;
            var sw = Stopwatch.StartNew();
            using var engine = TestingEngine.Create(config, scenario.RunOnce);
            engine.RegisterStartIterationCallBack(i => iteration = i + 1);
            engine.Run();
            sw.Stop();
            TestReport report = engine.TestReport;
            string? bug = report.NumOfFoundBugs > 0 ? string.Join(Environment.NewLine, report.BugReports) : null;
            var result = new RunResult(scenario, mutant, seed, iteration, bug is null ? null : iteration, bug,
                engine.ReproducibleTrace ?? "", engine.ReadableTrace ?? "", sw.Elapsed.TotalSeconds, report, Stats.Snapshot());
            if (result.FoundBug && replayTrace is null) SaveReplay(result);
            return result;
        }
        finally
        {
            Uninstall();
        }
    }

    private static void Install(Scenario scenario, Mutant mutant)
    {
        if (!TestHooks.Enabled)
            throw new InvalidOperationException("QSpin.TestHooks is off in this process: the runtimeconfig switch did not reach it.");
        TestHooks.OnAtomic = Coverage.OnAtomic;
        TestHooks.OnSpin = Coverage.OnSpin;
        TestHooks.Wait = FutexModel.Wait;
        TestHooks.Wake = FutexModel.Wake;
        TestHooks.SpinThreshold = scenario.SpinThreshold;
        TestHooks.StealSpins = scenario.StealSpins ?? scenario.SpinThreshold;
        TestHooks.StealWindowTicks = scenario.HeadsStarve ? 0 : long.MaxValue;
        Coverage.GuardStarvingHeads = scenario.HeadsStarve;
        TestHooks.Mutant = mutant;
        FutexModel.SpuriousOneIn = scenario.SpuriousOneIn;
        FutexModel.Throws = scenario.ParkThrows;
        Preemption.UnlockStall = scenario.UnlockStall;
        Preemption.StealStall = scenario.StealStall;
        TestHooks.BetweenStealReadAndCas = Preemption.BetweenStealReadAndCas;
    }

    private static void Uninstall()
    {
        TestHooks.Mutant = Mutant.None;
        TestHooks.StealWindowTicks = long.MaxValue;
        Coverage.GuardStarvingHeads = false;
        TestHooks.OnAtomic = null;
        TestHooks.OnSpin = null;
        TestHooks.Wait = null;
        TestHooks.Wake = null;
        FutexModel.SpuriousOneIn = 0;
        FutexModel.Throws = false;
        Preemption.UnlockStall = 0;
        Preemption.StealStall = 0;
        TestHooks.BetweenStealReadAndCas = null;
        Coverage.Locks = null;
    }

    // ---- Replay files: everything needed to run the failing schedule again. ----

    internal sealed record ReplayFile(Scenario Scenario, Mutant Mutant, uint Seed, uint Iteration, string BugReport, string Trace);

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    private static void SaveReplay(RunResult r)
    {
        Directory.CreateDirectory(TraceDirectory);
        string stem = Path.Combine(TraceDirectory, $"{r.Scenario.Name}.{r.Mutant}");
        var file = new ReplayFile(r.Scenario, r.Mutant, r.Seed, r.BugIteration ?? 0, r.BugReport ?? "", r.ReproducibleTrace);
        File.WriteAllText(stem + ".replay.json", JsonSerializer.Serialize(file, s_json));
        File.WriteAllText(stem + ".trace.txt", r.ReadableTrace);
    }

    /// <summary>Path of the replay file a failing run of <paramref name="scenario"/> with <paramref name="mutant"/> wrote.</summary>
    public static string ReplayPath(Scenario scenario, Mutant mutant) =>
        Path.Combine(TraceDirectory, $"{scenario.Name}.{mutant}.replay.json");

    /// <summary>
    /// An absolute path, or one relative to the shell's directory (<c>dotnet test</c> runs the tests in
    /// the output folder, but passes <c>PWD</c> on), or a bare file name in <see cref="TraceDirectory"/>.
    /// </summary>
    private static string ResolveReplayPath(string path)
    {
        if (Path.IsPathRooted(path)) return path;
        foreach (string? dir in new[] { Environment.GetEnvironmentVariable("PWD"), Environment.CurrentDirectory, TraceDirectory })
        {
            if (dir is not null && File.Exists(Path.Combine(dir, path))) return Path.GetFullPath(Path.Combine(dir, path));
        }
        throw new FileNotFoundException($"replay file '{path}' not found (tried it relative to $PWD, the current directory and {TraceDirectory})", path);
    }

    /// <summary>
    /// Runs the schedule saved in a replay file once more, narrating it (<see cref="Story"/>) into
    /// <c>x.story.txt</c> beside the file. Returns the result and the story.
    /// </summary>
    public static (RunResult Result, string Story, string StoryPath) Replay(string path)
    {
        path = ResolveReplayPath(path);
        ReplayFile file = JsonSerializer.Deserialize<ReplayFile>(File.ReadAllText(path), s_json)
            ?? throw new InvalidDataException("empty replay file " + path);
        RunResult r;
        Story.Enabled = true;
        try
        {
            r = Run(file.Scenario, file.Mutant, 1, file.Seed, file.Trace);
        }
        finally
        {
            Story.Enabled = false;
        }
        string story = Story.Text;
        string storyPath = (path.EndsWith(".replay.json", StringComparison.Ordinal) ? path[..^".replay.json".Length] : path) + ".story.txt";
        File.WriteAllText(storyPath, story);
        return (r, story, storyPath);
    }
}
