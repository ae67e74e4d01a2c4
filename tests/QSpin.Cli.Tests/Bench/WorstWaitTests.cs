using QSpin.Cli.Bench;

namespace QSpin.Cli.Tests.Bench;

/// <summary>"Worst wait / bound": the longest sampled wait over the bypass bound of the sample's QSpin mode, where that bound is positive.</summary>
public class WorstWaitTests
{
    private static Sample S(string? mode, long maxNs, long latencySamples = 10) =>
        new("x", mode, 2, 4, 50, 1.0, 100, [50, 50], 0.5, new Latency(latencySamples, 10, 20, 30, maxNs), true);

    [Fact]
    public void ParavirtIsMeasuredAgainstItsStealWindow()
    {
        // Fairness.ParavirtStealWindow is 1 ms (QSpin's internal; this assembly cannot see it): 2.5 ms is 2.5 windows.
        Assert.Equal(2.5, S(nameof(QSpinMode.Paravirt), maxNs: 2_500_000).WorstWaitOverBound, 9);
    }

    [Theory]
    [InlineData(nameof(QSpinMode.Native))] // bound zero: FIFO, nobody bypasses
    [InlineData(nameof(QSpinMode.TestAndSet))] // no bound
    [InlineData(null)] // not a QSpin contender
    public void OtherModesAndLocksHaveNoFigure(string? mode) =>
        Assert.True(double.IsNaN(S(mode, maxNs: 2_500_000).WorstWaitOverBound));

    [Fact]
    public void NoSampledWaitNoFigure() =>
        Assert.True(double.IsNaN(S(nameof(QSpinMode.Paravirt), maxNs: 0, latencySamples: 0).WorstWaitOverBound));

    [Fact]
    public void TheTablesShowItAndADashForTheOthers()
    {
        RepeatedSample[] samples =
        [
            new(1, S(nameof(QSpinMode.Paravirt), 2_500_000) with { Lock = "qspin-paravirt" }),
            new(1, S(null, 2_500_000) with { Lock = "lock" }),
        ];
        var report = new BenchReport(BenchReport.SchemaName, true, null, "test", default, default, BenchReport.ThisMachine(),
            new SettingsInfo([2], 1, [4], [50], ["qspin-paravirt", "lock"], 1, 0, 64, false, Dispatch.Struct),
            [], BenchReport.Summarize(samples, ["qspin-paravirt", "lock"]), samples, []);
        string md = ResultTable.Markdown(report);
        Assert.Contains("| max | worst/bound |", md);
        Assert.Contains("| 2.50 ms | 2.50 |", md);
        Assert.Contains("| 2.50 ms | - |", md);
        Assert.Contains("worst_wait_over_bound_max", CsvReport.SummaryColumns());
    }
}
