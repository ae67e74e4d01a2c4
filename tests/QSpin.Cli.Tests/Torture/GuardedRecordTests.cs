using QSpin.Cli.Torture;

namespace QSpin.Cli.Tests.Torture;

/// <summary>The checker itself, driven by hand: each kind of overlap it exists to catch is caught.</summary>
public class GuardedRecordTests
{
    [Fact]
    public void ExclusiveWritesPassEveryCheck()
    {
        var g = new GuardedRecord();
        for (int i = 0; i < 3; i++)
        {
            Assert.Null(g.Begin(i, out long seen));
            Assert.Null(g.End(i, seen));
        }
        Assert.Null(g.CheckFinal(3));
    }

    [Fact]
    public void SecondWriterInsideIsCaughtOnEntryAndTheFirstOnExit()
    {
        var g = new GuardedRecord();
        Assert.Null(g.Begin(0, out long s0));
        Assert.Contains("held on entry", g.Begin(1, out long s1));
        g.End(1, s1); // the intruder's own exit may look normal: it was flagged on entry
        Assert.Contains("changed while held", g.End(0, s0));
    }

    [Fact]
    public void TornRecordIsCaughtEvenIfTheHeldFlagWasCleared()
    {
        // An intruder that ran its whole write while we were inside clears the flag on its way out.
        var g = new GuardedRecord();
        Assert.Null(g.Begin(0, out long s0));
        g.Begin(1, out long s1);
        g.End(1, s1);
        Assert.NotNull(g.End(0, s0));
    }

    [Fact]
    public void LostUpdateIsCaughtAtTheEnd()
    {
        var g = new GuardedRecord();
        Assert.Null(g.Begin(0, out long seen));
        Assert.Null(g.End(0, seen));
        Assert.Contains("lost updates", g.CheckFinal(2)); // two acquisitions, one increment
    }
}
