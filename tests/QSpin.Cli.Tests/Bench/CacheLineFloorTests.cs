using QSpin.Cli.Bench;

namespace QSpin.Cli.Tests.Bench;

/// <summary>The cache-line floor: the ping-pong's exchange, its arithmetic, and how a run reports it. Never asserts on timing values.</summary>
public class CacheLineFloorTests
{
    [Fact]
    public void OneWayIsTheElapsedTimeOverTwiceTheRounds() =>
        Assert.Equal(100.0, CacheLineFloor.OneWayNs(TimeSpan.FromMilliseconds(2), rounds: 10_000), 9);

    [SkippableFact]
    public void EveryRoundTripMovesTheLineTwice()
    {
        Skip.If(CacheLineFloor.SkipReason(Environment.ProcessorCount) is not null, "needs two cores");
        TimeSpan elapsed = CacheLineFloor.PingPong(10_000, TimeSpan.FromSeconds(30), out long last);
        Assert.Equal(20_000, last); // A wrote the odd values, B the even ones, up to 2 x rounds
        Assert.True(elapsed > TimeSpan.Zero);
    }

    [SkippableFact]
    public void MeasureGivesOneFiniteTimePerMeasurement()
    {
        Skip.If(CacheLineFloor.SkipReason(Environment.ProcessorCount) is not null, "needs two cores");
        double[] ns = CacheLineFloor.Measure(rounds: 1_000, times: 3);
        Assert.Equal(3, ns.Length);
        Assert.All(ns, v => Assert.True(double.IsFinite(v) && v > 0, $"{v}"));
    }

    [SkippableFact]
    public void APingPongThatCannotFinishIsStopped()
    {
        Skip.If(CacheLineFloor.SkipReason(Environment.ProcessorCount) is not null, "needs two cores");
        // Far more rounds than fit in the limit: the abort flag ends both sides instead of a hang.
        var e = Assert.Throws<TimeoutException>(() => CacheLineFloor.PingPong(int.MaxValue, TimeSpan.FromMilliseconds(50), out _));
        Assert.Contains("stopped after", e.Message);
    }

    [Fact]
    public void OneCoreSkipsTheFloorAndSaysWhy()
    {
        Assert.Contains("1 core", CacheLineFloor.SkipReason(1));
        Assert.Null(CacheLineFloor.SkipReason(2));
    }

    [Fact]
    public void TheFloorLineGivesTheMedianAndSpreadOrWhyNot()
    {
        Assert.Equal(
            "cache-line floor: one-way transfer 93.0 ns (median of 3: 91.5-99.0 ns; 2,000,000 round trips each)",
            new FloorInfo(2_000_000, [99.0, 91.5, 93.0], null).Describe());
        var skipped = FloorInfo.Absent(2_000_000, CacheLineFloor.SkipReason(1)!);
        Assert.StartsWith("cache-line floor: not measured (1 core: ", skipped.Describe());
        Assert.True(double.IsNaN(skipped.OneWay.Median));
    }

    [Fact]
    public void ResultsMarkdownOpensWithTheFloor()
    {
        var report = new BenchReport(BenchReport.SchemaName, true, null, "test", default, default, BenchReport.ThisMachine(),
            new SettingsInfo([1], 1, [4], [50], [], 1, 0, 64, false, Dispatch.Struct), [], [], [], [])
        {
            Floor = new FloorInfo(100_000, [50.0], null),
        };
        Assert.StartsWith("Cache-line floor: one-way transfer 50.0 ns (median of 1: 50.0-50.0 ns; 100,000 round trips each).\n", ResultTable.Markdown(report));
    }

    [Fact]
    public void QuickRunsFewerRounds()
    {
        Assert.Equal(CacheLineFloor.DefaultRounds, BenchSettings.Default(2).FloorRounds);
        Assert.Equal(CacheLineFloor.QuickRounds, BenchSettings.QuickRun(2).FloorRounds);
    }
}
