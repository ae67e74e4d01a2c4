using System.Globalization;
using System.Text;
using Spectre.Console;

namespace QSpin.Cli.Bench;

/// <summary>
/// The results as tables: one row per contender and thread count with the medians (and the throughput's
/// min-max spread), plus the key ratios between QSpin's modes and .NET's locks. Rendered on the terminal
/// with Spectre.Console and as Markdown (results.md) for docs.
/// </summary>
internal static class ResultTable
{
    private static readonly string[] Header =
        ["threads", "lock", "Macq/s", "spread", "Jain", "max/min", "CPU ns/acq", "CPU use", "p50", "p99", "p99.9", "max"];

    /// <summary>Columns wide enough for every row of the tables, so that a redirected terminal does not wrap them.</summary>
    public const int Width = 144;

    private static readonly string[] RatioHeader =
        ["threads", "paravirt / native", "paravirt / lock", "paravirt / best .NET", "native / best .NET", "native Jain", "paravirt Jain"];

    /// <summary>The .NET locks "best .NET" compares with.</summary>
    public static readonly string[] DotNetLocks = ["lock", "monitor", "spinlock"];

    public static void Write(IAnsiConsole console, BenchReport report)
    {
        foreach (var (cs, pw) in report.Sizes())
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"critical section {cs} lines, private work {pw} steps; medians of {report.RepeatsText(Cells(report, cs, pw))}");
            foreach (string h in Header) table.AddColumn(new TableColumn(h).RightAligned().NoWrap());
            int lastThreads = -1;
            foreach (var row in Rows(report, cs, pw))
            {
                if (lastThreads >= 0 && row.Threads != lastThreads) table.AddEmptyRow();
                lastThreads = row.Threads;
                table.AddRow(row.Cells.Select(c => new Text(c)).ToArray());
            }
            console.Write(table);

            var ratios = RatioRows(report, cs, pw).ToList();
            if (ratios.Count == 0) continue;
            var rt = new Table().Border(TableBorder.Rounded).Title("key ratios (throughput medians)");
            foreach (string h in RatioHeader) rt.AddColumn(new TableColumn(h).RightAligned().NoWrap());
            foreach (var r in ratios) rt.AddRow(r);
            console.Write(rt);
        }
        WriteLockEvents(console, report);
    }

    /// <summary>
    /// The lock events counted by the contenders that ran with QSPIN_STATS=1 (the last repetition of
    /// each cell; events that stayed 0 are left out).
    /// </summary>
    private static void WriteLockEvents(IAnsiConsole console, BenchReport report)
    {
        var cells = report.Samples
            .Select(r => r.Sample)
            .Where(x => x.LockEvents is not null)
            .GroupBy(x => (x.Lock, x.Threads, x.CsLines, x.PrivateWork))
            .Select(g => g.Last())
            .ToList();
        if (cells.Count == 0) return;
        var t = new Table().Border(TableBorder.Rounded).Title("lock events (QSPIN_STATS=1 contenders, last repetition)");
        t.AddColumn("lock").AddColumn(new TableColumn("threads").RightAligned()).AddColumn("events");
        foreach (Sample x in cells)
        {
            string events = string.Join(", ", x.LockEvents!.Where(kv => kv.Value != 0).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:N0}")));
            t.AddRow(new Text(x.Lock), new Text(x.Threads.ToString(CultureInfo.InvariantCulture)), new Text(events));
        }
        console.Write(t);
    }

    /// <summary>The same tables in Markdown.</summary>
    public static string Markdown(BenchReport report)
    {
        var sb = new StringBuilder();
        foreach (var (cs, pw) in report.Sizes())
        {
            sb.Append(CultureInfo.InvariantCulture, $"### Critical section {cs} cache lines, private work {pw} steps (medians of {report.RepeatsText(Cells(report, cs, pw))})\n\n");
            MarkdownTable(sb, Header, Rows(report, cs, pw).Select(r => r.Cells));
            var ratios = RatioRows(report, cs, pw).ToList();
            if (ratios.Count == 0) continue;
            sb.Append("Key ratios (throughput medians):\n\n");
            MarkdownTable(sb, RatioHeader, ratios);
        }
        return sb.ToString();
    }

    private static void MarkdownTable(StringBuilder sb, string[] header, IEnumerable<string[]> rows)
    {
        sb.Append("| ").AppendJoin(" | ", header).Append(" |\n|");
        foreach (var _ in header) sb.Append("---:|");
        sb.Append('\n');
        foreach (var r in rows) sb.Append("| ").AppendJoin(" | ", r).Append(" |\n");
        sb.Append('\n');
    }

    private static IEnumerable<CellSummary> Cells(BenchReport report, int cs, int pw) =>
        report.Summary.Where(c => c.CsLines == cs && c.PrivateWork == pw);

    private static IEnumerable<(int Threads, string[] Cells)> Rows(BenchReport report, int cs, int pw) =>
        Cells(report, cs, pw).Select(c => (c.Threads, new[]
        {
            c.Threads.ToString(CultureInfo.InvariantCulture),
            c.Lock + (c.MutualExclusionHeld == false ? " (EXCLUSION VIOLATED)" : ""),
            Millions(c[Metrics.Throughput].Median),
            Percent(c[Metrics.Throughput].Relative),
            Fixed(c[Metrics.Jain].Median, "0.000"),
            Fixed(c[Metrics.MaxMin].Median, "0.00"),
            Fixed(c[Metrics.CpuPerAcquisition].Median, "0"),
            Percent(c[Metrics.CpuShare].Median),
            Nanoseconds(c[Metrics.P50].Median),
            Nanoseconds(c[Metrics.P99].Median),
            Nanoseconds(c[Metrics.P999].Median),
            Nanoseconds(c[Metrics.Max].Median),
        }));

    /// <summary>Per thread count, the ratios the paravirt design is judged by; only rows whose contenders all ran.</summary>
    public static IEnumerable<string[]> RatioRows(BenchReport report, int cs, int pw)
    {
        var cells = Cells(report, cs, pw).ToList();
        foreach (int t in cells.Select(c => c.Threads).Distinct())
        {
            double Tput(string name) => cells.FirstOrDefault(c => c.Threads == t && c.Lock == name)?[Metrics.Throughput].Median ?? double.NaN;
            double JainOf(string name) => cells.FirstOrDefault(c => c.Threads == t && c.Lock == name)?[Metrics.Jain].Median ?? double.NaN;
            double pv = Tput("qspin-paravirt"), native = Tput("qspin-native"), lck = Tput("lock");
            double bestDotNet = DotNetLocks.Select(Tput).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
            if (double.IsNaN(pv) && double.IsNaN(native)) continue;
            yield return
            [
                t.ToString(CultureInfo.InvariantCulture), Ratio(pv, native), Ratio(pv, lck), Ratio(pv, bestDotNet), Ratio(native, bestDotNet),
                Fixed(JainOf("qspin-native"), "0.000"), Fixed(JainOf("qspin-paravirt"), "0.000"),
            ];
        }
    }

    private static string Ratio(double a, double b) =>
        double.IsNaN(a) || double.IsNaN(b) ? "-" : b == 0 ? "inf" : (a / b).ToString(a / b >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture) + "x";

    /// <summary>The relative spread (max - min) / median, as a percentage.</summary>
    private static string Percent(double v) => double.IsNaN(v) ? "-" : (v * 100).ToString(v < 0.1 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%";

    private static string Millions(double v) => double.IsNaN(v) ? "-" : (v / 1e6).ToString(v >= 1e7 ? "0.0" : "0.000", CultureInfo.InvariantCulture);

    private static string Fixed(double v, string format) =>
        double.IsNaN(v) ? "-" : double.IsPositiveInfinity(v) ? "inf" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A latency with a readable unit: 850 ns, 12.3 us, 4.10 ms, 1.20 s.</summary>
    public static string Nanoseconds(double ns) => ns switch
    {
        double.NaN => "-",
        < 1e3 => ns.ToString("0", CultureInfo.InvariantCulture) + " ns",
        < 1e6 => (ns / 1e3).ToString(ns < 1e4 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " us",
        < 1e9 => (ns / 1e6).ToString(ns < 1e7 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms",
        _ => (ns / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " s",
    };
}
