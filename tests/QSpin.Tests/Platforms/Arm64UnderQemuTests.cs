namespace QSpin.Tests.Platforms;

/// <summary>
/// QSpin on Linux arm64, under qemu user mode, for an ARMv8.0 CPU (<c>cortex-a57</c>: exclusive
/// pairs and <c>dmb ish</c>) and one with LSE atomics (<c>max</c>: <c>casal</c>, <c>casalh</c>,
/// <c>casalb</c>): each mode's exclusion (with a TryEnter mix), FIFO, timed and cancelled waits, lock
/// events, a short torture, the platform facts (futex syscall 98, little-endian, sub-word views), and
/// the Tier-1 shapes of Enter, Exit and TryEnter (<see cref="Arm64Shapes"/>). qemu runs guest threads
/// on this x64 host's memory model (TSO): this checks code shape and function on arm64, not its weak
/// memory reorderings.
/// </summary>
public class Arm64UnderQemuTests(QemuTarget qemu) : IClassFixture<QemuTarget>
{
    /// <summary>Seconds of each mode's torture, per CPU model.</summary>
    private const int TortureSeconds = 5;

    public static TheoryData<string, string> Cases => Combine(ModeScenarios.Modes);

    public static TheoryData<string, string> QueuedCases => Combine(["native", "paravirt"]);

    public static TheoryData<string> CpuModels => [.. QemuTarget.CpuModels];

    private static TheoryData<string, string> Combine(string[] modes)
    {
        var data = new TheoryData<string, string>();
        foreach (string mode in modes)
            foreach (string cpu in QemuTarget.CpuModels) data.Add(mode, cpu);
        return data;
    }

    /// <summary>The main run of a mode on a CPU model, with the JIT writing the disassembly targets' listings.</summary>
    private ChildProcess.Result Main(string mode, string cpu)
    {
        var env = JitListings.Environment(ListingFile(mode, cpu));
        foreach (var (k, v) in ModeScenarios.Env(mode)) env[k] = v;
        return qemu.TestHost($"main {mode} {cpu}", cpu, env, ModeScenarios.MainRun(mode, disassembly: true));
    }

    private string ListingFile(string mode, string cpu) => qemu.TempFile($"jit-{mode}-{cpu}.txt");

    private List<string> Listing(string mode, string cpu, string method)
    {
        var r = Main(mode, cpu);
        Assert.True(Line(r, $"mode={ModeScenarios.ModeName(mode)} driven") is not null, r.Output);
        return JitListings.Instructions(JitListings.Tier1(File.ReadAllText(ListingFile(mode, cpu)))[method]);
    }

    private static string Line(ChildProcess.Result r, string prefix) => ModeScenarios.Line(r, prefix);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void PlatformChecksHoldWithTheArm64Futex(string mode, string cpu) =>
        ModeScenarios.AssertPlatform(Main(mode, cpu), "linux", "Arm64", "98", "futex (syscall 98,");

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void MutualExclusionWithATryEnterMix(string mode, string cpu) => ModeScenarios.AssertExclusion(Main(mode, cpu), mode);

    [SkippableTheory]
    [MemberData(nameof(QueuedCases))]
    public void QueuedWaitersAcquireInArrivalOrder(string mode, string cpu) => ModeScenarios.AssertFifo(Main(mode, cpu), mode);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void TimedAndCancelledWaitsLeaveTheLockClean(string mode, string cpu) => ModeScenarios.AssertTimed(Main(mode, cpu), mode);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void LockEventsCountParkingAndKicks(string mode, string cpu) =>
        ModeScenarios.AssertEvents(qemu.TestHost($"events {mode} {cpu}", cpu, ModeScenarios.Env(mode, stats: true), ModeScenarios.EventsRun(mode)), mode);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ShortTortureSucceeds(string mode, string cpu) =>
        ModeScenarios.AssertTorture(qemu.Cli($"torture {mode} {cpu}", cpu, ModeScenarios.Env(mode), ModeScenarios.TortureRun(TortureSeconds)), mode);

    [SkippableTheory]
    [MemberData(nameof(CpuModels))]
    public void NativeExitIsOneStoreReleaseByte(string cpu) => Arm64Shapes.NativeExit(Listing("native", cpu, "CallExit"));

    [SkippableTheory]
    [MemberData(nameof(CpuModels))]
    public void NativeArrayExitIsTheIndexCheckAndOneStoreReleaseByte(string cpu) => Arm64Shapes.NativeArrayExit(Listing("native", cpu, "CallArrayExit"));

    [SkippableTheory]
    [MemberData(nameof(CpuModels))]
    public void ParavirtArrayExitIsAByteStoreAndALoadOfParked(string cpu) =>
        Arm64Shapes.ParavirtExit(Listing("paravirt", cpu, "CallArrayExit"), otherCalls: 1);

    [SkippableTheory]
    [MemberData(nameof(CpuModels))]
    public void ParavirtExitIsAByteStoreAndALoadOfParked(string cpu) => Arm64Shapes.ParavirtExit(Listing("paravirt", cpu, "CallExit"));

    [SkippableTheory]
    [MemberData(nameof(CpuModels))]
    public void TestAndSetExitIsOneStoreReleaseWord(string cpu) => Arm64Shapes.TestAndSetExit(Listing("tas", cpu, "CallExit"));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void EnterIsOneCasAndAnOutOfLineCall(string mode, string cpu) => Arm64Shapes.Enter(Listing(mode, cpu, "CallEnter"), mode);

    [SkippableTheory]
    [MemberData(nameof(QueuedCases))]
    public void TryEnterIsOneCasAndNeverCallsOut(string mode, string cpu) => Arm64Shapes.TryEnter(Listing(mode, cpu, "CallTryEnter"), mode);
}
