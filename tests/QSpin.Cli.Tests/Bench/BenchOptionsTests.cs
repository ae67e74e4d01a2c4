using System.CommandLine;
using QSpin.Cli;
using QSpin.Cli.Bench;

namespace QSpin.Cli.Tests.Bench;

/// <summary>Command-line parsing of <c>qspin bench</c>: defaults, lists, units, and one-line errors naming the option.</summary>
public class BenchOptionsTests
{
    /// <summary>The settings the command's action would use for these arguments, on a 2-core machine.</summary>
    private static BenchSettings Parse(params string[] args)
    {
        var root = Program.BuildRoot();
        var parse = root.Parse(["bench", .. args]);
        Assert.Empty(parse.Errors);
        var bench = root.Subcommands.OfType<BenchCommand>().Single();
        return bench.Bench.Settings(parse, cores: 2);
    }

    private static (int Exit, string Error) RunExpectingError(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = Program.Run(["bench", .. args], new InvocationConfiguration { Output = output, Error = error });
        return (exit, error.ToString().Trim());
    }

    [Fact]
    public void DefaultsSweepTheDocumentedThreadCountsAndEveryLock()
    {
        var s = Parse();
        Assert.Equal([1, 2, 4, 8, 16], s.Threads); // 1, 2, cores, 2x, 4x, 8x on 2 cores, deduplicated
        Assert.Equal(BenchSettings.DefaultDurationSeconds, s.DurationSeconds);
        Assert.Equal(3, s.Repeat);
        Assert.Equal([BenchSettings.DefaultCsLines], s.CsWork);
        Assert.Equal([BenchSettings.DefaultPrivateWork], s.PrivateWork);
        Assert.Equal(Contenders.All.Select(c => c.Name), s.Locks.Select(c => c.Name));
        Assert.Null(s.Out);
        Assert.False(s.Quick);
        Assert.Equal(5 * 9 * 3, s.CellCount); // 9 contenders, qspin-paravirt-stats included
    }

    [Fact]
    public void DefaultThreadsOnOneAndEightCores()
    {
        Assert.Equal([1, 2, 4, 8], BenchSettings.DefaultThreads(1));
        Assert.Equal([1, 2, 8, 16, 32, 64], BenchSettings.DefaultThreads(8));
    }

    [Fact]
    public void QuickIsSmallAndExplicitOptionsOverrideIt()
    {
        var q = Parse("--quick");
        Assert.True(q.Quick);
        Assert.Equal([1, 4], q.Threads);
        Assert.Equal(1, q.Repeat);
        Assert.True(q.DurationSeconds < 0.1);

        var o = Parse("--quick", "--threads", "3", "--repeat", "2");
        Assert.Equal([3], o.Threads);
        Assert.Equal(2, o.Repeat);
        Assert.True(o.Quick);
    }

    [Theory]
    [InlineData(new[] { "--threads", "1,2,4" }, new[] { 1, 2, 4 })]
    [InlineData(new[] { "--threads", "4", "1", "2" }, new[] { 1, 2, 4 })]
    [InlineData(new[] { "--threads", "2", "--threads", "2,1" }, new[] { 1, 2 })]
    public void ThreadListsTakeCommasAndSpacesSortedWithoutDuplicates(string[] args, int[] expected) =>
        Assert.Equal(expected, Parse(args).Threads);

    [Theory]
    [InlineData("0.25", 0.25)]
    [InlineData("250ms", 0.25)]
    [InlineData("2s", 2.0)]
    public void DurationsTakeSecondsOrUnits(string text, double seconds) =>
        Assert.Equal(seconds, Parse("--duration", text).DurationSeconds, 9);

    [Fact]
    public void LocksAreCaseInsensitiveInRegistryOrderAndAllMeansAll()
    {
        Assert.Equal(["qspin-paravirt", "lock"], Parse("--locks", "LOCK,qspin-paravirt").Locks.Select(c => c.Name));
        Assert.Equal(Contenders.All.Count, Parse("--locks", "all").Locks.Length);
    }

    [Fact]
    public void SizesOutAndRepeatAreRead()
    {
        var s = Parse("--cs-work", "0,8", "--private-work", "0", "100", "--repeat", "5", "--out", "x/y");
        Assert.Equal([0, 8], s.CsWork);
        Assert.Equal([0, 100], s.PrivateWork);
        Assert.Equal(5, s.Repeat);
        Assert.Equal("x/y", s.Out);
        Assert.Equal(5 * 2 * 2 * 5 * 9, s.CellCount);
    }

    [Theory]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "-2")]
    [InlineData("--threads", "two")]
    [InlineData("--threads", "1,0")]
    [InlineData("--threads", "100000")]
    [InlineData("--duration", "0")]
    [InlineData("--duration", "-1")]
    [InlineData("--duration", "soon")]
    [InlineData("--cs-work", "-1")]
    [InlineData("--private-work", "-5")]
    [InlineData("--repeat", "0")]
    [InlineData("--repeat", "1,2")]
    [InlineData("--locks", "futex")]
    [InlineData("--locks", "lock,nope")]
    public void BadValuesExitNonZeroWithOneLineNamingTheOption(string option, string value)
    {
        var (exit, error) = RunExpectingError(option, value);
        Assert.NotEqual(0, exit);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"qspin: {option}: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLockMessageListsTheKnownOnes()
    {
        var (_, error) = RunExpectingError("--locks", "futex");
        Assert.Contains("'futex'", error);
        Assert.Contains("qspin-paravirt", error);
    }

    [Fact]
    public void UnwritableOutputFolderExitsNonZeroNamingOutAndLeavesNothing()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qspin-bench-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "not a folder");
            var (exit, error) = RunExpectingError("--quick", "--out", Path.Combine(file, "results"));
            Assert.Equal(ExitCodes.BadArgument, exit);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("qspin: --out:", error);
            Assert.Equal([file], Directory.GetFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void NonEmptyOutputFolderIsRefused()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qspin-bench-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "old.txt"), "keep me");
            var (exit, error) = RunExpectingError("--quick", "--out", dir);
            Assert.Equal(ExitCodes.BadArgument, exit);
            Assert.StartsWith("qspin: --out:", error);
            Assert.Equal("keep me", File.ReadAllText(Path.Combine(dir, "old.txt")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
