using System.Text.RegularExpressions;
using QSpin.Cli;
using QSpin.Cli.Torture;

namespace QSpin.Cli.Tests.Torture;

/// <summary><c>qspin torture</c> in this process: verdicts, output format, argument checks.</summary>
public partial class TortureCommandTests
{
    [GeneratedRegex(@"^Writes: Total: \d+ Max/Min: \d+/\d+ Fail: \d+( \?\?\?)?( !!!)?$")]
    private static partial Regex StatsLine();

    [Fact]
    public void QSpinInThisProcessModeSucceeds()
    {
        var r = TortureHarness.InProcess("torture", "--type", "qspin", "--duration", "3", "--stat-interval", "1");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("End of test: SUCCESS", r.Lines[^1]);
        Assert.DoesNotContain(r.Lines, l => l.StartsWith("FAILURE", StringComparison.Ordinal));
        // Periodic lines (about one a second) and the final one, all in the locktorture format.
        string[] stats = [.. r.Lines.Where(l => l.StartsWith("Writes:", StringComparison.Ordinal))];
        Assert.True(stats.Length >= 2, r.ToString());
        Assert.All(stats, l => Assert.Matches(StatsLine(), l));
        Assert.All(stats, l => Assert.DoesNotContain("!!!", l));
        Assert.Matches(@"Writes: Total: [1-9]\d* ", stats[^1]);
        // The parameters, with the mode and its reason, at the start and again before the verdict.
        string parameters = $"type=qspin mode={QSpinOps.Mode} ({QSpinOps.Reason})";
        Assert.StartsWith("qspin torture: " + parameters, r.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith(parameters, r.Lines[^2], StringComparison.Ordinal);
    }

    [Fact]
    public void BustedLockFailsWithinSeconds()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = TortureHarness.InProcess("torture", "--type", "busted", "--duration", "2", "--stat-interval", "1");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Equal("End of test: FAILURE", r.Lines[^1]);
        Assert.Contains(r.Lines, l => l.StartsWith("FAILURE: writer", StringComparison.Ordinal));
        string final = r.Lines.Last(l => l.StartsWith("Writes:", StringComparison.Ordinal));
        Assert.Matches(StatsLine(), final);
        Assert.EndsWith(" !!!", final, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"Fail: 0\b", final);
    }

    [Theory]
    [InlineData("lock")]
    [InlineData("monitor")]
    [InlineData("spinlock")]
    public void DotNetLocksSucceed(string type)
    {
        var r = TortureHarness.InProcess("torture", "--type", type, "--duration", "1", "--writers", "4", "--stat-interval", "0");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("End of test: SUCCESS", r.Lines[^1]);
    }

    [Fact]
    public void EveryStressPhaseRunsAndSucceeds()
    {
        var r = TortureHarness.InProcess("torture", "--duration", "4", "--writers", "6", "--stat-interval", "1",
            "--stutter", "0.5", "--shuffle", "0.3", "--churn", "0.5", "--nested", "2", "--long-hold", "20", "--acq-limit", "10");

        Assert.True(r.ExitCode == 0, r.ToString());
        string stress = r.Lines.Single(l => l.StartsWith("Stress:", StringComparison.Ordinal));
        Assert.Matches(@"stutter pauses [1-9]", stress);
        Assert.Matches(@"threads replaced [1-9]", stress);
        if (OperatingSystem.IsLinux() && Environment.ProcessorCount > 1)
            Assert.Matches(@"shuffles [1-9]\d* \(applied [1-9]\d*, refused 0\)", stress);
    }

    [Theory]
    [InlineData("--writers", "0")]
    [InlineData("--writers", "-3")]
    [InlineData("--writers", "many")]
    [InlineData("--duration", "0")]
    [InlineData("--duration", "-1")]
    [InlineData("--type", "ticket")]
    [InlineData("--nested", "9")]
    [InlineData("--acq-limit", "0")]
    [InlineData("--stutter", "-1")]
    public void BadArgumentsAreRejectedWithOneLineNamingThem(string option, string value)
    {
        string[] rest = option == "--duration" ? [] : ["--duration", "1"]; // a bad value must fail before anything runs
        var r = TortureHarness.InProcess(["torture", option, value, .. rest]);

        Assert.Equal(ExitCodes.BadArgument, r.ExitCode);
        Assert.Equal("", r.Output); // nothing ran
        string line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"qspin: {option}: ", line, StringComparison.Ordinal); // the grammar bench uses too
        Assert.Contains(value, line, StringComparison.Ordinal);
    }

    [Fact]
    public void AcquisitionLimitMustExceedTheLongHold()
    {
        var r = TortureHarness.InProcess("torture", "--acq-limit", "0.05", "--long-hold", "100", "--duration", "1");

        Assert.Equal(ExitCodes.BadArgument, r.ExitCode);
        Assert.Contains("--acq-limit", r.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, 6, 4, 0, "Writes: Total: 10 Max/Min: 6/4 Fail: 0")]
    [InlineData(10, 9, 1, 0, "Writes: Total: 10 Max/Min: 9/1 Fail: 0 ???")]
    [InlineData(10, 6, 4, 2, "Writes: Total: 10 Max/Min: 6/4 Fail: 2 !!!")]
    [InlineData(10, 10, 0, 1, "Writes: Total: 10 Max/Min: 10/0 Fail: 1 ??? !!!")]
    public void StatsLineFlagsStarvationAndFailure(long total, long max, long min, long failures, string expected)
    {
        Assert.Equal(expected, TortureStats.Line(total, max, min, failures));
    }
}
