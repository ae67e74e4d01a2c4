namespace QSpin.Tests;

/// <summary>
/// Nothing may leave an acquisition by an exception once the waiter's node is in a queue: a park that
/// fails (an interrupt in the portable monitor fallback, a native call that cannot be bound) keeps
/// the waiter's place. A child process (paravirt mode, test hooks on) replaces the platform wait.
/// </summary>
public class ParkFailureTests
{
    private static ChildProcess.Result Run(string kind) =>
        ChildProcess.Run("QSpin.TestHost", ["parkfail", kind], new Dictionary<string, string?> { ["QSPIN_MODE"] = "paravirt" }, TimeSpan.FromMinutes(3));

    [Fact]
    public void AnInterruptWhileParkedKeepsTheQueueAndIsPostedAgainAfterTheAcquisition()
    {
        var r = Run("interrupt");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("order=0,1,2,3 count=4 reposted=True,True,True,True threw=False,False,False,False", r.Output);
    }

    [Fact]
    public void AnExceptionWhileParkedIsRethrownWithTheLockReleasedAndTheQueueKeepsItsOrder()
    {
        var r = Run("throw");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("count=4 reposted=False,False,False,False threw=True,False,False,False", r.Output);
    }
}
