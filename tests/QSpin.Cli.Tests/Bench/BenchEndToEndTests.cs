using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using QSpin.Cli;
using QSpin.Cli.Bench;

namespace QSpin.Cli.Tests.Bench;

/// <summary>
/// <c>qspin bench --quick</c> for real: worker processes per contender, every output file, the
/// expected columns; and Ctrl+C keeping what finished. Never asserts on timing values.
/// </summary>
public sealed partial class BenchEndToEndTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qspin-bench-e2e-" + Guid.NewGuid().ToString("N"));

    public BenchEndToEndTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] OutputFiles =
    [
        "results.json", "results.csv", "samples.csv", "results.md",
        "throughput.png", "throughput.svg", "fairness.png", "fairness.svg", "latency-p99.png", "latency-p99.svg",
    ];

    [Fact]
    public void QuickRunWritesEveryFileWithTheExpectedColumns()
    {
        string target = Path.Combine(_dir, "quick");
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = Program.Run(["bench", "--quick", "--out", target], new InvocationConfiguration { Output = output, Error = error });

        Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
        Assert.Contains(target, output.ToString()); // the command names its results folder
        Assert.Equal(OutputFiles.Order(), Directory.GetFiles(target).Select(Path.GetFileName).Order());
        Assert.Equal([target], Directory.GetDirectories(_dir)); // no temporary or partial folder left

        int lockCount = Contenders.All.Count, threadCounts = BenchSettings.QuickThreads(Environment.ProcessorCount).Length;
        string[] summary = File.ReadAllLines(Path.Combine(target, "results.csv"));
        Assert.Equal(string.Join(',', CsvReport.SummaryColumns()), summary[0]);
        Assert.Contains("acq_per_sec", summary[0].Split(','));
        Assert.Contains("p999_ns_max", summary[0].Split(','));
        Assert.Contains("handoff_over_floor_max", summary[0].Split(','));
        Assert.Equal(lockCount * threadCounts, summary.Length - 1);
        Assert.All(summary.Skip(1), row => Assert.EndsWith(",held", row)); // every lock excluded (no lost update)

        string[] samples = File.ReadAllLines(Path.Combine(target, "samples.csv"));
        Assert.Equal(string.Join(',', CsvReport.SampleColumns), samples[0]);
        Assert.Equal(lockCount * threadCounts, samples.Length - 1);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, "results.json")));
        var root = json.RootElement;
        Assert.Equal(BenchReport.SchemaName, root.GetProperty("schema").GetString());
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
        Assert.Equal(lockCount * threadCounts, root.GetProperty("summary").GetArrayLength());
        Assert.Equal(lockCount * threadCounts, root.GetProperty("samples").GetArrayLength());
        var first = root.GetProperty("samples")[0].GetProperty("sample");
        foreach (string p in new[] { "acquisitionsPerSecond", "jain", "maxMin", "cpuNsPerAcquisition", "latency", "perThread", "lockEvents", "handoffs", "nsPerHandoff" })
            Assert.True(first.TryGetProperty(p, out _), p);
        // The default critical section has lines, so every cell counted its hand-offs.
        Assert.All(root.GetProperty("samples").EnumerateArray(), r => Assert.Equal(JsonValueKind.Number, r.GetProperty("sample").GetProperty("handoffs").ValueKind));

        // Worst wait / bound: a number for paravirt (the one mode with a positive bound), none for the others.
        double WorstOverBound(string name) => root.GetProperty("summary").EnumerateArray().First(c => c.GetProperty("lock").GetString() == name)
            .GetProperty("figures").GetProperty("worst_wait_over_bound").GetProperty("median") is var m && m.ValueKind == JsonValueKind.Number
            ? m.GetDouble()
            : double.Parse(m.GetString()!, System.Globalization.CultureInfo.InvariantCulture); // "NaN" or "Infinity"
        Assert.True(WorstOverBound("qspin-paravirt") > 0);
        Assert.True(double.IsNaN(WorstOverBound("qspin-native")));
        Assert.True(double.IsNaN(WorstOverBound("lock")));

        // Each QSpin contender ran in a process of its own mode.
        var modes = root.GetProperty("contenders").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("mode").GetString());
        Assert.Equal("Native", modes["qspin-native"]);
        Assert.Equal("Paravirt", modes["qspin-paravirt"]);
        Assert.Equal("TestAndSet", modes["qspin-tas"]);
        Assert.Null(modes["lock"]);
        Assert.All(root.GetProperty("contenders").EnumerateArray(), c => Assert.False(string.IsNullOrEmpty(c.GetProperty("priority").GetString())));

        // The cache-line floor: measured once, in a worker, with --quick's rounds; in the header and results.md.
        var floor = root.GetProperty("floor");
        Assert.Equal(CacheLineFloor.QuickRounds, floor.GetProperty("rounds").GetInt32());
        if (CacheLineFloor.SkipReason(Environment.ProcessorCount) is { } why)
        {
            Assert.Equal(why, floor.GetProperty("skipped").GetString());
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, floor.GetProperty("skipped").ValueKind);
            Assert.Equal(CacheLineFloor.Measurements, floor.GetProperty("oneWayNs").GetArrayLength());
            Assert.All(floor.GetProperty("oneWayNs").EnumerateArray(), v => Assert.True(v.GetDouble() > 0));
        }
        Assert.Contains("cache-line floor: ", output.ToString());
        Assert.StartsWith("Cache-line floor: ", File.ReadAllText(Path.Combine(target, "results.md")));

        byte[] png = File.ReadAllBytes(Path.Combine(target, "throughput.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(target, "fairness.svg")));
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private const int SIGINT = 2;

    [SkippableFact]
    public void CtrlCKeepsWhatFinishedMarkedPartial()
    {
        Skip.If(!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS(), "sends SIGINT with kill(2): Linux and macOS only");
        string target = Path.Combine(_dir, "interrupted");
        var (fileName, prefix) = WorkerProcess.SelfCommand();
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])[.. prefix, "bench", "--locks", "lock", "--threads", "1", "--duration", "0.2", "--repeat", "100", "--out", target])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (stdout) stdout.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();

        // Measuring has begun once the progress shows a run; a few cells later, interrupt.
        Poll.Until(() => { lock (stdout) return stdout.ToString().Contains(" threads  run ") || p.HasExited; }, "the first cell");
        Thread.Sleep(3000);
        Assert.False(p.HasExited, stdout.ToString());
        Assert.Equal(0, Kill(p.Id, SIGINT));
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), "bench did not stop after Ctrl+C");
        p.WaitForExit();

        Assert.Equal(ExitCodes.Interrupted, p.ExitCode);
        Assert.False(Directory.Exists(target)); // not complete, so not under the final name
        string partial = OutputFolder.PartialPath(target);
        Assert.True(File.Exists(Path.Combine(partial, "PARTIAL")), stdout.ToString());
        Assert.Contains(partial, stdout.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(partial, "results.json")));
        Assert.False(json.RootElement.GetProperty("complete").GetBoolean());
        int kept = json.RootElement.GetProperty("samples").GetArrayLength();
        Assert.InRange(kept, 1, 99);
        Assert.Equal(kept, File.ReadAllLines(Path.Combine(partial, "samples.csv")).Length - 1);
        Assert.True(File.Exists(Path.Combine(partial, "throughput.png")));
        Assert.Single(Directory.GetDirectories(_dir)); // the temporary folder is gone
    }
}
