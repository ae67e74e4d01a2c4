using HdrHistogram;
using QSpin.Cli.Bench;

namespace QSpin.Cli.Tests.Bench;

/// <summary>The benchmark's statistics on inputs whose answers are known by hand.</summary>
public class StatisticsTests
{
    [Theory]
    [InlineData(new long[] { 5, 5, 5, 5 }, 1.0)]
    [InlineData(new long[] { 7, 0, 0, 0 }, 0.25)] // one thread got everything: 1/n
    [InlineData(new long[] { 1, 2, 3 }, 36.0 / 42.0)] // (1+2+3)^2 / (3 * (1+4+9))
    [InlineData(new long[] { 10, 30 }, 1600.0 / 2000.0)]
    [InlineData(new long[] { 3 }, 1.0)]
    public void JainIndex(long[] counts, double expected) =>
        Assert.Equal(expected, Statistics.JainIndex(counts), 12);

    [Fact]
    public void JainIndexOfNothingIsUndefined() => Assert.True(double.IsNaN(Statistics.JainIndex([0, 0])));

    [Theory]
    [InlineData(new long[] { 4, 2, 3 }, 2.0)]
    [InlineData(new long[] { 9, 9 }, 1.0)]
    [InlineData(new long[] { 5, 0 }, double.PositiveInfinity)]
    public void MaxOverMin(long[] counts, double expected) =>
        Assert.Equal(expected, Statistics.MaxOverMin(counts));

    [Fact]
    public void MaxOverMinOfNothingIsUndefined() => Assert.True(double.IsNaN(Statistics.MaxOverMin([0, 0])));

    [Theory]
    [InlineData(new[] { 3.0, 1.0, 2.0 }, 2.0, 1.0, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5, 1.0, 4.0)] // even count: mean of the middle two
    [InlineData(new[] { 7.0 }, 7.0, 7.0, 7.0)]
    [InlineData(new[] { double.NaN, 5.0, 1.0 }, 3.0, 1.0, 5.0)] // NaN left out
    public void MedianAndSpread(double[] values, double median, double min, double max)
    {
        var s = Statistics.Summarize(values);
        Assert.Equal(median, s.Median);
        Assert.Equal(min, s.Min);
        Assert.Equal(max, s.Max);
    }

    [Fact]
    public void RelativeSpread()
    {
        Assert.Equal(0.5, new Spread(4, 3, 5).Relative, 12);
        Assert.Equal(0, new Spread(4, 4, 4).Relative);
        Assert.True(double.IsNaN(Statistics.Summarize([]).Median));
    }

    [Fact]
    public void PercentilesOfOneToAThousand()
    {
        var h = new LongHistogram(Workload.HighestTrackableNs, 3);
        for (int v = 1; v <= 1000; v++) h.RecordValue(v);
        var p = Statistics.Percentiles(h);
        Assert.Equal(1000, p.Samples);
        Assert.Equal(500, p.P50Ns); // exact below 2048 with three significant digits
        Assert.Equal(990, p.P99Ns);
        Assert.Equal(999, p.P999Ns);
        Assert.Equal(1000, p.MaxNs);
    }

    [Fact]
    public void PercentilesSeeARareOutlierOnlyAtTheTail()
    {
        var h = new LongHistogram(Workload.HighestTrackableNs, 3);
        h.RecordValueWithCount(100, 9_990);
        h.RecordValueWithCount(5_000_000, 10); // 0.1 %
        var p = Statistics.Percentiles(h);
        Assert.Equal(100, p.P50Ns);
        Assert.Equal(100, p.P99Ns);
        Assert.Equal(100, p.P999Ns); // the 99.9th percentile is the 9,990th value
        Assert.InRange(p.MaxNs, 5_000_000, 5_005_000); // three significant digits
    }

    [Fact]
    public void EmptyHistogramHasNoPercentiles() =>
        Assert.Equal(new Latency(0, 0, 0, 0, 0), Statistics.Percentiles(new LongHistogram(Workload.HighestTrackableNs, 3)));

    [Fact]
    public void CellSummaryTakesTheMedianOfTheRepetitions()
    {
        Sample S(long acquisitions, long[] perThread) => new(
            "lock", null, perThread.Length, 4, 50, 1.0, acquisitions, perThread, 0.5, new Latency(1, 10, 20, 30, 40), true);
        var cell = CellSummary.Of([S(300, [150, 150]), S(100, [100, 0]), S(200, [150, 50])]);
        Assert.Equal(3, cell.Repeats);
        Assert.Equal(new Spread(200, 100, 300), cell[Metrics.Throughput]);
        Assert.Equal(0.8, cell[Metrics.Jain].Median, 12); // Jain of (150, 50) = 40000 / (2 * 25000)
        Assert.Equal(double.PositiveInfinity, cell[Metrics.MaxMin].Max);
        Assert.True(cell.MutualExclusionHeld);
    }
}

/// <summary>The key ratios pair the contenders within each repetition.</summary>
public class KeyRatioTests
{
    private static RepeatedSample At(int repeat, string lockName, double millionsPerSecond) =>
        new(repeat, new Sample(lockName, null, 4, 4, 50, 1.0, (long)(millionsPerSecond * 1e6), [1, 1, 1, 1], 1.0, new Latency(0, 0, 0, 0, 0), true));

    private static BenchReport Report(params RepeatedSample[] samples)
    {
        var contenders = samples.Select(s => s.Sample.Lock).Distinct().ToList();
        return new BenchReport(BenchReport.SchemaName, true, null, "test", default, default, BenchReport.ThisMachine(),
            new SettingsInfo([4], 1, [4], [50], [.. contenders], 3, 0, 64, false, Dispatch.Struct),
            [], BenchReport.Summarize(samples, contenders), samples, []);
    }

    [Fact]
    public void PairedRatiosTakeTheRatioWithinEachPair()
    {
        var r = Statistics.PairedRatios([(10, 5), (3, 1), (1, 4), (double.NaN, 2), (7, 0)]);
        Assert.Equal(2.0, r.Median); // 2, 3, 0.25; NaN and the zero denominator left out
        Assert.Equal(0.25, r.Min);
        Assert.Equal(3.0, r.Max);
    }

    [Fact]
    public void RatiosArePairedByRepetitionNotTakenBetweenMedians()
    {
        // Paravirt beats lock by 1.2x in repetitions 1 and 2; in 3 it ran while the machine was slow and
        // lock while it was fast. The ratio of the medians (4.8 / 15) would say 0.32x; the pairs say 1.2x.
        var report = Report(
            At(1, "qspin-paravirt", 18), At(1, "lock", 15), At(1, "monitor", 20),
            At(2, "qspin-paravirt", 4.8), At(2, "lock", 4), At(2, "monitor", 2),
            At(3, "qspin-paravirt", 4.8), At(3, "lock", 15), At(3, "monitor", 2.5));
        string[] row = Assert.Single(ResultTable.RatioRows(report, new Shape(4, 50)));
        Assert.Equal("4", row[0]);
        Assert.Equal("-", row[1]); // no native contender
        Assert.Equal("1.20x (0.32-1.20)", row[2]); // paravirt / lock
        Assert.Equal("0.90x (0.32-1.20)", row[3]); // paravirt / best .NET of each repetition: 18/20, 4.8/4, 4.8/15
        Assert.Equal("-", row[4]);
    }

    [Fact]
    public void OneRepetitionShowsNoSpread()
    {
        string[] row = Assert.Single(ResultTable.RatioRows(Report(At(1, "qspin-paravirt", 6), At(1, "lock", 5)), new Shape(4, 50)));
        Assert.Equal("1.20x", row[2]);
    }

    [Fact]
    public void RatioSpreadFormats()
    {
        Assert.Equal("-", ResultTable.RatioSpread(new Spread(double.NaN, double.NaN, double.NaN)));
        Assert.Equal("1.13x (0.86-1.30)", ResultTable.RatioSpread(new Spread(1.13, 0.86, 1.30)));
        Assert.Equal("225x (19.00-300)", ResultTable.RatioSpread(new Spread(225, 19, 300)));
    }
}
