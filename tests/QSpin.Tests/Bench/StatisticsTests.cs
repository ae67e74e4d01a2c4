using HdrHistogram;
using QSpin.Cli.Bench;

namespace QSpin.Tests.Bench;

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
