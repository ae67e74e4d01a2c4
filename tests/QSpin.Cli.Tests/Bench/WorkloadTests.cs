using QSpin.Cli.Bench;
using QSpin.Cli.Locks;

namespace QSpin.Cli.Tests.Bench;

/// <summary>The measured loop, in this process: counts add up, the exclusion check works, and it can fail.</summary>
public class WorkloadTests
{
    private static WorkloadSpec Spec(int threads, double seconds = 0.05, int cs = 4) => new(threads, seconds, cs, PrivateWork: 10, SampleEvery: 8);

    public static TheoryData<string> InProcessContenders =>
        [.. Contenders.All.Where(c => c.Mode is null).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(InProcessContenders))]
    public void CountsAddUpAndExclusionHolds(string name)
    {
        var s = Contenders.Find(name)!.Run(Spec(threads: 2));
        Assert.Equal(2, s.PerThread.Length);
        Assert.Equal(s.Acquisitions, s.PerThread.Sum());
        Assert.True(s.Acquisitions > 0);
        Assert.True(s.MutualExclusionHeld);
        Assert.InRange(s.Latency.Samples, 1, s.Acquisitions); // one in eight acquisitions is timed
        Assert.True(s.Latency.P50Ns <= s.Latency.P99Ns && s.Latency.P99Ns <= s.Latency.P999Ns && s.Latency.P999Ns <= s.Latency.MaxNs);
        Assert.True(s.CpuSeconds > 0);
        Assert.Null(s.LockEvents); // a seam until the library has lock events
    }

    [Fact]
    public void QSpinInThisProcesssModeHoldsExclusion()
    {
        var s = Contender.Of("qspin", LockKind.QSpin, "", () => new QSpinContender(new QSpinLock())).Run(Spec(threads: 3));
        Assert.True(s.MutualExclusionHeld);
    }

    [Fact]
    public void InterfaceDispatchRunsTheSameWorkload()
    {
        var s = Contenders.Find("monitor")!.Run(Spec(threads: 2) with { Dispatch = Dispatch.Interface });
        Assert.True(s.MutualExclusionHeld);
        Assert.True(s.Acquisitions > 0);
    }

    [Fact]
    public void EmptyCriticalSectionHasNoExclusionCheck() =>
        Assert.Null(Contenders.Find("lock")!.Run(Spec(threads: 1, cs: 0)).MutualExclusionHeld);

    /// <summary>A "lock" that excludes nobody: the check must notice lost updates (as locktorture's broken lock type proves its checker).</summary>
    private readonly struct NoLock : ILockContender
    {
        public void Enter() { }
        public void Exit() { }
    }

    [Fact]
    public void ABrokenLockIsCaught()
    {
        // A lost update needs a thread to be interrupted inside the critical section, by a thread on
        // the other core or by preemption; on a machine busy with other work that may take a few tries.
        bool? held = true;
        for (int attempt = 0; attempt < 30 && held == true; attempt++)
            held = Workload.Run(new NoLock(), new WorkloadSpec(Threads: 4, DurationSeconds: 0.1, CsLines: 8, PrivateWork: 0)).MutualExclusionHeld;
        Assert.False(held);
    }

    [Fact]
    public void ContenderNamesAreUniqueAndQSpinModesAreAllThree()
    {
        Assert.Equal(Contenders.All.Count, Contenders.All.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal([QSpinMode.Native, QSpinMode.Paravirt, QSpinMode.TestAndSet], Contenders.All.Where(c => c.Mode is not null && !c.Stats).Select(c => c.Mode!.Value));
        // The one stats contender is the paravirt lock with QSPIN_STATS=1, to read the cost of counting off the same run.
        Assert.Equal([QSpinMode.Paravirt], Contenders.All.Where(c => c.Stats).Select(c => c.Mode!.Value));
        Assert.Equal(9, Contenders.All.Count);
    }
}
