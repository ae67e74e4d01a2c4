using QSpin.Cli.Bench;
using Spectre.Console;

namespace QSpin.Cli.Tests.Bench;

/// <summary>Hand-offs: the critical section counts acquisitions by another thread than the one before; the figures derived from the count.</summary>
public class HandoffTests
{
    [Fact]
    public void TheCriticalSectionCountsAChangeOfOwner()
    {
        long[] data = new long[16]; // two lines: the counter's (with the owner slot) and one more
        long[] owners = [1, 1, 2, 2, 1, 3];
        long[] handoffs = [.. owners.Select(o => Workload.CriticalSection(data, 0, 16, o))];
        Assert.Equal([1, 0, 1, 0, 1, 1], handoffs); // the first finds the slot at 0, nobody: the workload does not count it
        Assert.Equal(owners.Length, data[0]); // the counter
        Assert.Equal(3, data[1]); // the last owner
        Assert.Equal(owners.Length, data[8]); // the second line's word
        Assert.All(data.Skip(2).Take(6), w => Assert.Equal(0, w)); // nothing else on the counter's line
    }

    [Fact]
    public void AnEmptyCriticalSectionTouchesNothing()
    {
        long[] data = new long[8];
        Assert.Equal(0, Workload.CriticalSection(data, 0, 0, 1));
        Assert.All(data, w => Assert.Equal(0, w));
    }

    private static WorkloadSpec Spec(int threads, int cs = 4) => new(threads, 0.05, cs, PrivateWork: 10, SampleEvery: 8);

    [Fact]
    public void OneThreadHandsNothingOff()
    {
        var s = Contenders.Find("lock")!.Run(Spec(threads: 1));
        Assert.True(s.Acquisitions > 0);
        Assert.Equal(0, s.Handoffs);
        Assert.Equal(0, s.HandoffsPerAcquisition);
        Assert.True(double.IsNaN(s.NsPerHandoff)); // no hand-off to divide by
    }

    [Fact]
    public void EveryThreadThatGotTheLockWasHandedItOnceAtLeast()
    {
        var s = Contenders.Find("spinlock")!.Run(Spec(threads: 3));
        Assert.NotNull(s.Handoffs);
        // Each thread's first acquisition is a hand-off, but the run's very first is not; at most every acquisition after it.
        Assert.InRange(s.Handoffs!.Value, s.PerThread.Count(c => c > 0) - 1, s.Acquisitions - 1);
    }

    [Fact]
    public void AnEmptyCriticalSectionHasNoHandoffCount()
    {
        var s = Contenders.Find("lock")!.Run(Spec(threads: 2, cs: 0));
        Assert.Null(s.Handoffs);
        Assert.True(double.IsNaN(s.HandoffsPerAcquisition));
    }

    private static Sample S(long acquisitions, long? handoffs, double elapsedSeconds = 1e-6) =>
        new("lock", null, 2, 4, 50, elapsedSeconds, acquisitions, [acquisitions / 2, acquisitions - acquisitions / 2], 0.5, new Latency(1, 10, 20, 30, 40), true, Handoffs: handoffs);

    [Fact]
    public void HandoffFiguresPerAcquisitionPerNanosecondAndOverTheFloor()
    {
        var s = S(100, 50); // 50 hand-offs in 1 us: 20 ns each
        Assert.Equal(0.5, s.HandoffsPerAcquisition);
        Assert.Equal(20, s.NsPerHandoff, 9);
        var cell = CellSummary.Of([s, S(100, 25), S(100, 100)], floorNs: 4);
        Assert.Equal(new Spread(0.5, 0.25, 1), cell[Metrics.HandoffsPerAcquisition]);
        Assert.Equal(20, cell[Metrics.NsPerHandoff].Median, 9);
        Assert.Equal(5, cell[Metrics.HandoffOverFloor].Median, 9); // 20 ns over a 4 ns floor
        Assert.Equal(2.5, cell[Metrics.HandoffOverFloor].Min, 9); // 10 ns (100 hand-offs) over 4
        Assert.True(double.IsNaN(CellSummary.Of([s])[Metrics.HandoffOverFloor].Median)); // no floor, no ratio
    }

    private static BenchReport Report(params Sample[] samples)
    {
        RepeatedSample[] repeated = [.. samples.Select(s => new RepeatedSample(1, s))];
        return new BenchReport(BenchReport.SchemaName, true, null, "test", default, default, BenchReport.ThisMachine(),
            new SettingsInfo([2], 1, [4], [50], ["lock"], 1, 0, 64, false, Dispatch.Struct),
            [], BenchReport.Summarize(repeated, ["lock"], floorNs: 4), repeated, [])
        {
            Floor = new FloorInfo(100_000, [4.0], null),
        };
    }

    [Fact]
    public void ResultsMarkdownShowsEveryHandoffFigureAndTheConsoleTheRatio()
    {
        var report = Report(S(100, 50));
        string md = ResultTable.Markdown(report);
        Assert.Contains("| hand-offs/acq | ns/hand-off | hand-off/floor |", md);
        Assert.Contains("| 0.500 | 20 | 5.0 |", md);

        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        console.Profile.Width = ResultTable.Width;
        ResultTable.Write(console, report);
        Assert.Contains("hand-off/floor", text.ToString());
        Assert.DoesNotContain("ns/hand-off", text.ToString());
    }

    [Fact]
    public void NoCountShowsADash()
    {
        string md = ResultTable.Markdown(Report(S(100, null)));
        Assert.Contains("| - | - | - |", md);
    }
}
