using System.Globalization;
using QSpin.Cli;

namespace QSpin.Cli.Tests.Torture;

/// <summary>
/// <c>qspin torture --type array</c>: writers take random indices of a small <see cref="QSpinLockArray"/>
/// (index 0 hot) and check exclusion per index; every mode succeeds, and a broken index map fails.
/// </summary>
public class ArrayTortureTests
{
    [Theory]
    [InlineData("native")]
    [InlineData("paravirt")]
    [InlineData("tas")]
    public void DenseArraySucceedsInEveryModeWithChurnAndANestedArray(string mode)
    {
        // Short: the long child-process torture of QSpinLock covers the shared queue code; this covers
        // the array's words sharing lines, the per-index records and the hashed heads' final check.
        int seconds = Math.Min(TortureHarness.TortureSeconds, 3);
        var r = TortureHarness.Child(mode, TimeSpan.FromSeconds(seconds + 120),
            "torture", "--type", "array", "--duration", seconds.ToString(CultureInfo.InvariantCulture), "--writers", "8",
            "--churn", "0.5", "--slots", "12", "--nested", "1", "--acq-limit", mode == "native" ? "30" : "10", "--stat-interval", "0");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("End of test: SUCCESS", r.Lines[^1]);
        string expectedMode = mode switch { "native" => "Native", "paravirt" => "Paravirt", _ => "TestAndSet" };
        Assert.StartsWith($"type=array mode={expectedMode} ", r.Lines[^2], StringComparison.Ordinal);
        Assert.Matches(@"Writes: Total: [1-9]\d* ", r.Lines.Last(l => l.StartsWith("Writes:", StringComparison.Ordinal)));
    }

    [Fact]
    public void PaddedArraySucceedsInThisProcessMode()
    {
        var r = TortureHarness.InProcess("torture", "--type", "array-padded", "--duration", "1", "--writers", "4", "--stat-interval", "0");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("End of test: SUCCESS", r.Lines[^1]);
    }

    [Fact]
    public void BrokenIndexMapFailsOnTheHotIndex()
    {
        var r = TortureHarness.InProcess("torture", "--type", "array-busted", "--duration", "2", "--writers", "4", "--stat-interval", "0");

        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Equal("End of test: FAILURE", r.Lines[^1]);
        // Index 0 is the one two locks guard: the failure names it.
        Assert.Contains(r.Lines, l => l.StartsWith("FAILURE: writer", StringComparison.Ordinal) && l.Contains(" lock 0[0]: ", StringComparison.Ordinal));
        Assert.EndsWith(" !!!", r.Lines.Last(l => l.StartsWith("Writes:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
