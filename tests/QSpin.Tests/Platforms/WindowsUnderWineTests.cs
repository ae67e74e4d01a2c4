namespace QSpin.Tests.Platforms;

/// <summary>
/// QSpin on Windows x64, under Wine: each mode's exclusion (with a TryEnter mix), FIFO, timed and
/// cancelled waits, lock events (paravirt waiters park in WaitOnAddress and unlocks kick them), a
/// short torture, and the CLI's Windows paths. Wine implements WaitOnAddress over Linux futexes and
/// schedules with Linux: this checks QSpin's Windows code and the runtime's Windows behaviour, not the
/// Windows scheduler. Issue 15's crash (DllNotFoundException 'libc' at the first kick) fails
/// <see cref="LockEventsCountParkingAndKicks"/> and every paravirt run here.
/// </summary>
public class WindowsUnderWineTests(WineTarget wine) : IClassFixture<WineTarget>
{
    /// <summary>Seconds of each mode's torture.</summary>
    private const int TortureSeconds = 5;

    public static TheoryData<string> Modes => [.. ModeScenarios.Modes];

    public static TheoryData<string> QueuedModes => ["native", "paravirt"];

    private ChildProcess.Result Main(string mode) => wine.TestHost("main " + mode, null, ModeScenarios.Env(mode), ModeScenarios.MainRun(mode, disassembly: false));

    [SkippableTheory]
    [MemberData(nameof(Modes))]
    public void PlatformChecksHoldWithWaitOnAddress(string mode) =>
        ModeScenarios.AssertPlatform(Main(mode), "windows", "X64", "none", "WaitOnAddress/WakeByAddressSingle");

    [SkippableTheory]
    [MemberData(nameof(Modes))]
    public void MutualExclusionWithATryEnterMix(string mode) => ModeScenarios.AssertExclusion(Main(mode), mode);

    [SkippableTheory]
    [MemberData(nameof(QueuedModes))]
    public void QueuedWaitersAcquireInArrivalOrder(string mode) => ModeScenarios.AssertFifo(Main(mode), mode);

    [SkippableTheory]
    [MemberData(nameof(Modes))]
    public void TimedAndCancelledWaitsLeaveTheLockClean(string mode) => ModeScenarios.AssertTimed(Main(mode), mode);

    [SkippableTheory]
    [MemberData(nameof(Modes))]
    public void LockEventsCountParkingAndKicks(string mode) =>
        ModeScenarios.AssertEvents(wine.TestHost("events " + mode, null, ModeScenarios.Env(mode, stats: true), ModeScenarios.EventsRun(mode)), mode);

    [SkippableTheory]
    [MemberData(nameof(Modes))]
    public void ShortTortureSucceeds(string mode) =>
        ModeScenarios.AssertTorture(wine.Cli("torture " + mode, null, ModeScenarios.Env(mode), ModeScenarios.TortureRun(TortureSeconds)), mode);

    [SkippableFact]
    public void InfoNamesTheWaitPrimitive()
    {
        var r = wine.Cli("info", null, ModeScenarios.Env("paravirt"), ["info"]);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("wait/wake:   WaitOnAddress/WakeByAddressSingle (api-ms-win-core-synch-l1-2-0.dll)", r.Output, StringComparison.Ordinal);
        Assert.Contains("mode:        Paravirt", r.Output, StringComparison.Ordinal);
        Assert.Contains("pv unlock:   store, full fence, load", r.Output, StringComparison.Ordinal); // Wine's process-wide barrier is a stub (ProcessBarrier)
    }

    /// <summary>
    /// The bench worker's platform calls, without measuring anything: it takes Ctrl+C from the parent
    /// (a SIGINT registration, which Windows maps to its console control handler), raises its priority
    /// and greets; with its standard input closed at once it sends no reply and exits 0.
    /// </summary>
    [SkippableFact]
    public void BenchWorkerStartsRaisesItsPriorityAndStops()
    {
        var r = wine.Cli("bench-worker", null, ModeScenarios.Env("paravirt"), ["bench-worker", "--lock", "qspin-paravirt"]);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("\"mode\":\"Paravirt\"", r.Output, StringComparison.Ordinal);
        Assert.Contains("\"priority\":\"high\"", r.Output, StringComparison.Ordinal);
    }
}
