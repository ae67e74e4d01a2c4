namespace QSpin.Tests;

/// <summary>Checked mode (QSPIN_CHECKED=1), each scenario in its own child process.</summary>
public class CheckedModeTests
{
    private static string Run(string scenario, string mode = "paravirt", bool isChecked = true)
    {
        var r = ChildProcess.Run("QSpin.TestHost", ["checked", scenario], new Dictionary<string, string?>
        {
            ["QSPIN_MODE"] = mode,
            ["QSPIN_CHECKED"] = isChecked ? "1" : null,
            ["QSPIN_CHECKED_DEADLOCK_MS"] = "100",
        });
        Assert.True(r.ExitCode == 0, r.Output);
        return r.Output.Split('\n').Single(l => l.StartsWith("checked="))["checked=".Length..];
    }

    [Theory]
    [InlineData("native")]
    [InlineData("paravirt")]
    [InlineData("tas")]
    public void ReenteringAHeldLockThrowsInsteadOfHanging(string mode)
    {
        string r = Run("aa", mode);
        Assert.StartsWith("LockRecursionException tryEnterFalse=True", r);
        Assert.Contains("not reentrant", r);
    }

    [Fact]
    public void ExitByAThreadThatDoesNotOwnTheLockThrowsAndKeepsItHeld()
    {
        string r = Run("wrong-owner", "native");
        Assert.StartsWith("SynchronizationLockException", r);
        Assert.Contains("'intruder'", r);
        Assert.Contains("held by", r);
        Assert.EndsWith("stillHeld=True", r.Trim());
    }

    [Fact]
    public void ExitOfAFreeLockThrowsEvenInNativeMode()
    {
        string r = Run("not-held", "native");
        Assert.StartsWith("SynchronizationLockException", r);
        Assert.Contains("not held", r);
    }

    [Fact]
    public void IsHeldByCurrentThreadTracksTheOwner()
    {
        Assert.Equal("before=False during=True other=False after=False", Run("held").Trim());
    }

    [Fact]
    public void IsHeldByCurrentThreadExplainsHowToTurnCheckedModeOn()
    {
        var l = new QSpinLock(); // this test process runs with checked mode off
        var e = Assert.Throws<InvalidOperationException>(() => l.IsHeldByCurrentThread);
        Assert.Contains("QSPIN_CHECKED=1", e.Message);
    }

    [Theory]
    [InlineData("cycle2", "native")]
    [InlineData("cycle2", "paravirt")]
    [InlineData("cycle3", "native")]
    [InlineData("cycle3", "paravirt")]
    public void ALockCycleIsReportedByExactlyOneVictimAndTheOthersProceed(string scenario, string mode)
    {
        int n = scenario == "cycle2" ? 2 : 3;
        string r = Run(scenario, mode);
        Assert.StartsWith($"deadlocks=1 completed={n - 1} ", r);
        Assert.Contains($"Deadlock among {n} threads", r);
        Assert.Contains($"locks={n} threads={n}", r);
    }

    [Fact]
    public void ALongWaitWithoutACycleIsNotADeadlock()
    {
        Assert.Equal("deadlocks=0", Run("no-cycle").Trim());
    }

    [Fact]
    public void TimedWaitsStillTimeOutInCheckedMode()
    {
        Assert.Equal("acquired=False", Run("timeout").Trim());
    }

    [Theory]
    [InlineData("native")]
    [InlineData("paravirt")]
    [InlineData("tas")]
    public void ACycleAcrossTwoIndicesOfALockArrayIsReportedAndTheOtherThreadProceeds(string mode)
    {
        string r = Run("array-cycle2", mode);
        Assert.StartsWith("deadlocks=1 completed=1 clean=True ", r);
        Assert.Contains("Deadlock among 2 threads", r);
        Assert.Contains("QSpinLockArray@", r);
        Assert.Contains("[3]", r);
        Assert.Contains("[5]", r);
        Assert.Matches(@"locks=element(3,element5|5,element3) threads=2", r);
    }

    [Fact]
    public void ReenteringAHeldIndexThrowsAndOtherIndicesAreIndependent()
    {
        string r = Run("array-aa");
        Assert.StartsWith("LockRecursionException ", r);
        Assert.Contains("QSpinLockArray@", r);
        Assert.Contains("[1], which it already holds", r);
    }

    [Fact]
    public void ArrayExitIsOwnerCheckedPerIndex()
    {
        string r = Run("array-wrong-owner", "native");
        Assert.StartsWith("SynchronizationLockException ", r);
        Assert.Contains("held by thread", r);
        Assert.Contains("stillHeld=True", r);
        Assert.Contains("exitFree=SynchronizationLockException", r);
        Assert.Contains("[0], which is not held", r);
    }
}
