using System.CommandLine;
using System.Text.Json;
using QSpin.Cli;
using QSpin.Cli.Bench;
using QSpin.Cli.Locks;

namespace QSpin.Cli.Tests.Bench;

/// <summary>
/// <c>qspin bench --workload striped</c>: its options and their errors, the loop in this process (counts,
/// exclusion, bytes per lock; a table that excludes nobody is caught), and a tiny run end to end.
/// </summary>
public sealed class StripedBenchTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qspin-striped-" + Guid.NewGuid().ToString("N"));

    public StripedBenchTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static BenchSettings Parse(params string[] args)
    {
        var root = Program.BuildRoot();
        var parse = root.Parse(["bench", .. args]);
        Assert.Empty(parse.Errors);
        var bench = root.Subcommands.OfType<BenchCommand>().Single();
        Assert.Null(bench.Bench.Check(parse));
        return bench.Bench.Settings(parse, cores: 2);
    }

    [Fact]
    public void StripedDefaultsAreTheTwoShapesAndEveryTableContender()
    {
        var s = Parse("--workload", "striped");
        Assert.Equal(BenchWorkload.Striped, s.Workload);
        Assert.Equal([(64, KeyPattern.Hot), (1_000_000, KeyPattern.Uniform)], s.Stripes);
        Assert.Equal(
            ["qspin-array-native", "qspin-array-paravirt", "qspin-array-tas", "qspin-array-padded-native", "qspin-array-padded-paravirt", "qspin-array-padded-tas", "lock-array", "spinlock-array", "monitor-array"],
            s.Locks.Select(c => c.Name));
        Assert.Equal([1, 2, 4, 8, 16], s.Threads);
        Assert.Equal(3 * 2 * 5 * 9, s.CellCount);
        Assert.All(s.Cells(), c => Assert.True(c.Spec.Buckets > 0));
    }

    [Fact]
    public void NoWorkloadIsTheSingleLockBenchAsBefore()
    {
        var s = Parse();
        Assert.Equal(BenchWorkload.Single, s.Workload);
        Assert.Empty(s.Stripes);
        Assert.Equal(Contenders.All, s.Locks);
        Assert.All(s.Cells(), c => Assert.Equal(0, c.Spec.Buckets));
    }

    [Fact]
    public void BucketsAndKeysMakeEveryCombination()
    {
        var s = Parse("--workload", "striped", "--buckets", "4096,1", "--keys", "uniform", "hot", "--locks", "lock-array,qspin-array-tas", "--threads", "2");
        Assert.Equal([(1, KeyPattern.Uniform), (1, KeyPattern.Hot), (4096, KeyPattern.Uniform), (4096, KeyPattern.Hot)], s.Stripes);
        Assert.Equal(["qspin-array-tas", "lock-array"], s.Locks.Select(c => c.Name)); // catalog order
        Assert.Equal(4 * 2 * 3, s.CellCount);

        Assert.Equal([(1000, KeyPattern.Uniform)], Parse("--workload", "striped", "--buckets", "1000").Stripes); // keys: uniform by default
        Assert.Equal([(64, KeyPattern.Hot), (1_000_000, KeyPattern.Hot)], Parse("--workload", "STRIPED", "--keys", "Hot").Stripes);
    }

    [Theory]
    [InlineData("--workload", new[] { "--workload", "stripy" }, "stripy")]
    [InlineData("--workload", new[] { "--workload", "1" }, "'1'")]
    [InlineData("--buckets", new[] { "--workload", "striped", "--buckets", "0" }, "0")]
    [InlineData("--buckets", new[] { "--workload", "striped", "--buckets", "many" }, "many")]
    [InlineData("--buckets", new[] { "--workload", "striped", "--buckets", "20000000" }, "20000000")]
    [InlineData("--keys", new[] { "--workload", "striped", "--keys", "cold" }, "cold")]
    [InlineData("--buckets", new[] { "--buckets", "64" }, "--workload striped")]
    [InlineData("--keys", new[] { "--keys", "hot" }, "--workload striped")]
    [InlineData("--cs-work", new[] { "--workload", "striped", "--cs-work", "2" }, "--workload single")]
    [InlineData("--locks", new[] { "--workload", "striped", "--locks", "lock" }, "'lock'")]
    [InlineData("--locks", new[] { "--locks", "lock-array" }, "'lock-array'")]
    [InlineData("--locks", new[] { "--workload", "striped", "--locks", "nope" }, "lock-array")] // the known list is the workload's
    public void BadStripedOptionsAreOneLineNamingTheOption(string option, string[] args, string mentions)
    {
        var error = new StringWriter();
        int exit = Program.Run(["bench", .. args, "--out", Path.Combine(_dir, "never")], new InvocationConfiguration { Output = new StringWriter(), Error = error });

        Assert.Equal(ExitCodes.BadArgument, exit);
        string line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"qspin: {option}: ", line, StringComparison.Ordinal);
        Assert.Contains(mentions, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "never"))); // nothing ran
    }

    private static WorkloadSpec Spec(int buckets, KeyPattern keys, int threads = 3) =>
        new(threads, 0.05, 0, PrivateWork: 10, SampleEvery: 8, Buckets: buckets, Keys: keys);

    public static TheoryData<string> InProcessTables =>
        [.. Contenders.Striped.Where(c => c.Mode is null).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(InProcessTables))]
    public void CountsAddUpExclusionHoldsAndBytesAreMeasured(string name)
    {
        var s = Contenders.Find(name)!.Run(Spec(64, KeyPattern.Hot));
        Assert.Equal(s.Acquisitions, s.PerThread.Sum());
        Assert.True(s.Acquisitions > 0);
        Assert.True(s.MutualExclusionHeld);
        Assert.Equal(64, s.Buckets);
        Assert.Equal(KeyPattern.Hot, s.Keys);
        Assert.InRange(s.BytesPerLock!.Value, 4, 200);
    }

    [Fact]
    public void QSpinLockArrayCostsFourBytesDenseAndSixtyFourPadded()
    {
        // Measured, not declared: the bytes the table allocated over its locks (65,536 locks, so the
        // table's object and array headers, under 1 KB, add under 0.02 byte a lock).
        var dense = Contender.Striped("dense", LockKind.QSpin, "", n => new QSpinArrayTable(new QSpinLockArray(n))).Run(Spec(65_536, KeyPattern.Uniform, threads: 2));
        var padded = Contender.Striped("padded", LockKind.QSpin, "", n => new QSpinArrayTable(QSpinLockArray.Padded(n))).Run(Spec(65_536, KeyPattern.Uniform, threads: 2));
        var locks = Contenders.Find("lock-array")!.Run(Spec(65_536, KeyPattern.Uniform, threads: 2));

        Assert.InRange(dense.BytesPerLock!.Value, 4, 4.02);
        Assert.InRange(padded.BytesPerLock!.Value, 64, 64.02);
        Assert.True(locks.BytesPerLock > 6 * dense.BytesPerLock, $"Lock[] {locks.BytesPerLock} B a lock, dense {dense.BytesPerLock}");
        Assert.True(dense.MutualExclusionHeld);
        Assert.True(padded.MutualExclusionHeld);
    }

    /// <summary>A table of "locks" that excludes nobody: the entries' sum must miss updates.</summary>
    private readonly struct NoLocks : ILockTableContender
    {
        public void Enter(int index) { }
        public void Exit(int index) { }
    }

    [Fact]
    public void ATableThatExcludesNobodyIsCaught()
    {
        // One bucket, every key hot: threads collide on eight entries all the time; on a busy machine
        // a lost update may take a few tries.
        bool? held = true;
        for (int attempt = 0; attempt < 20 && held == true; attempt++)
            held = StripedWorkload.Run(_ => new NoLocks(), new WorkloadSpec(4, 0.1, 0, 0, Buckets: 1, Keys: KeyPattern.Hot)).MutualExclusionHeld;
        Assert.False(held);
    }

    [Fact]
    public void TinyStripedRunEndToEnd()
    {
        string target = Path.Combine(_dir, "striped");
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = Program.Run(
            ["bench", "--workload", "striped", "--quick", "--buckets", "16,64", "--keys", "hot", "--locks", "qspin-array-paravirt,qspin-array-padded-native,lock-array", "--out", target],
            new InvocationConfiguration { Output = output, Error = error });

        Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
        Assert.Contains("striped: 16 buckets, hot keys", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("B/lock", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("striped: 64 buckets, hot keys", output.ToString(), StringComparison.Ordinal);
        // One set of plots per shape, and the sweep: throughput against the bucket count per thread count.
        foreach (string file in (string[])["throughput-striped16-hot.png", "fairness-striped64-hot.svg", "latency-p99-striped64-hot.png", "sweep-hot-t1.png", "sweep-hot-t4.svg"])
            Assert.True(File.Exists(Path.Combine(target, file)), file);

        string[] rows = File.ReadAllLines(Path.Combine(target, "results.csv"));
        string[] header = rows[0].Split(',');
        int buckets = Array.IndexOf(header, "buckets"), keys = Array.IndexOf(header, "keys"), bytes = Array.IndexOf(header, "bytes_per_lock");
        Assert.Equal(3 * 2 * 2, rows.Length - 1); // 3 locks x 2 thread counts x 2 shapes
        Assert.All(rows.Skip(1), r => Assert.EndsWith(",held", r));
        Assert.Equal(["16", "64"], rows.Skip(1).Select(r => r.Split(',')[buckets]).Distinct().Order());
        Assert.All(rows.Skip(1), r => Assert.Equal("hot", r.Split(',')[keys]));
        Assert.All(rows.Skip(1), r => Assert.True(double.Parse(r.Split(',')[bytes], System.Globalization.CultureInfo.InvariantCulture) >= 4));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, "results.json")));
        Assert.Equal("Striped", json.RootElement.GetProperty("settings").GetProperty("workload").GetString());
        var modes = json.RootElement.GetProperty("contenders").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("mode").GetString());
        Assert.Equal("Paravirt", modes["qspin-array-paravirt"]);
        Assert.Equal("Native", modes["qspin-array-padded-native"]);
        Assert.Null(modes["lock-array"]);
    }
}
