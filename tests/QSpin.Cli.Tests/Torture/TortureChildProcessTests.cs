using System.Diagnostics;
using System.Globalization;
using QSpin.Cli;

namespace QSpin.Cli.Tests.Torture;

/// <summary>
/// <c>qspin torture</c> in a child process per QSpin mode (the mode is fixed per process), with
/// oversubscription (8 writers on this machine's cores), thread churn with few QSpin slots (so new
/// threads recycle exited threads' slots), affinity shuffles and one nested lock. Duration per mode:
/// <see cref="TortureHarness.TortureSeconds"/> (60 s in CI, 5 s locally, or QSPIN_TORTURE_SECONDS).
/// </summary>
public class TortureChildProcessTests
{
    [Theory]
    [InlineData("native")]
    [InlineData("paravirt")]
    [InlineData("tas")]
    public void EveryModeSurvivesOversubscriptionAndChurn(string mode)
    {
        int seconds = TortureHarness.TortureSeconds;
        // Native waiters spin in FIFO order without parking, so with 8 writers on 2 cores every
        // hand-off may wait for a descheduled waiter: measured here, its longest acquisition wait is
        // about 2 s with 8 writers (5.6 s with 16), against under 1 s for paravirt. It gets a wider
        // watchdog limit so that a noisy machine cannot fail it; a real hang still fails it.
        string acqLimit = mode == "native" ? "30" : "10";
        var r = TortureHarness.Child(mode, TimeSpan.FromSeconds(seconds + 120),
            "torture", "--duration", seconds.ToString(CultureInfo.InvariantCulture), "--writers", "8",
            "--churn", "1", "--slots", "12", "--shuffle", "2", "--nested", "1", "--acq-limit", acqLimit,
            "--stat-interval", Math.Max(1, seconds / 6).ToString(CultureInfo.InvariantCulture));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("End of test: SUCCESS", r.Lines[^1]);
        string expectedMode = mode switch { "native" => "Native", "paravirt" => "Paravirt", _ => "TestAndSet" };
        Assert.Contains($"mode={expectedMode} (environment variable QSPIN_MODE={mode}", r.Lines[^2], StringComparison.Ordinal);
        Assert.Matches(@"threads replaced [1-9]", r.Output);
        Assert.Matches(@"Writes: Total: [1-9]\d* ", r.Lines.Last(l => l.StartsWith("Writes:", StringComparison.Ordinal)));
    }

    [Fact]
    public void WatchdogEndsAHungRunWithADumpEvenThoughWritersNeverReturn()
    {
        var clock = Stopwatch.StartNew();
        var r = TortureHarness.Child("paravirt", TimeSpan.FromSeconds(90),
            "torture", "--type", "busted-unlock", "--duration", "60", "--acq-limit", "1", "--stat-interval", "0");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"took {clock.Elapsed}: the watchdog should end it long before --duration");
        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.Equal("End of test: FAILURE", r.Lines[^1]);
        Assert.Contains(r.Lines, l => l.StartsWith("WATCHDOG: writer", StringComparison.Ordinal) && l.Contains("to acquire lock 0", StringComparison.Ordinal));
        Assert.Contains("BustedUnlockLock locked=1", r.Output, StringComparison.Ordinal);
        Assert.Contains("--- writers:", r.Output, StringComparison.Ordinal);
        Assert.EndsWith(" !!!", r.Lines.Last(l => l.StartsWith("Writes:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
