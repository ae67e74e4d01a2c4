using System.Globalization;
using System.Text;
using Spectre.Console;

namespace QSpin.Cli.Bench;

/// <summary>
/// The results as tables: one row per contender and thread count with the medians (and the throughput's
/// min-max spread), plus the key ratios between QSpin's modes and .NET's locks. Rendered on the terminal
/// with Spectre.Console and as Markdown (results.md) for docs; results.md has a few more columns.
/// </summary>
internal static class ResultTable
{
    /// <summary>One column of the results tables: its header, its cell, and whether the console shows it too (results.md shows every column).</summary>
    private sealed record Column(string Header, Func<CellSummary, string> Cell, bool OnConsole = true);

    /// <summary>The columns of every table.</summary>
    private static readonly Column[] Common =
    [
        new("threads", c => c.Threads.ToString(CultureInfo.InvariantCulture)),
        new("lock", c => c.Lock + (c.MutualExclusionHeld == false ? " (EXCLUSION VIOLATED)" : "")),
        new("Macq/s", c => Millions(c[Metrics.Throughput].Median)),
        new("spread", c => Percent(c[Metrics.Throughput].Relative)),
        new("Jain", c => Fixed(c[Metrics.Jain].Median, "0.000")),
        new("max/min", c => Fixed(c[Metrics.MaxMin].Median, "0.00")),
        new("CPU ns/acq", c => Fixed(c[Metrics.CpuPerAcquisition].Median, "0")),
        new("CPU use", c => Percent(c[Metrics.CpuShare].Median)),
        new("p50", c => Nanoseconds(c[Metrics.P50].Median)),
        new("p99", c => Nanoseconds(c[Metrics.P99].Median)),
        new("p99.9", c => Nanoseconds(c[Metrics.P999].Median)),
        new("max", c => Nanoseconds(c[Metrics.Max].Median)),
        new("worst/bound", c => Fixed(c[Metrics.WorstWaitOverBound].Median, "0.00")),
    ];

    /// <summary>The single-lock workload counts hand-offs; the console shows only their cost in cache-line transfers.</summary>
    private static readonly Column[] Handoffs =
    [
        new("hand-offs/acq", c => Fixed(c[Metrics.HandoffsPerAcquisition].Median, "0.000"), OnConsole: false),
        new("ns/hand-off", c => Fixed(c[Metrics.NsPerHandoff].Median, "0"), OnConsole: false),
        new("hand-off/floor", c => Fixed(c[Metrics.HandoffOverFloor].Median, "0.0")),
    ];

    /// <summary>The striped workload's tables add the measured bytes per lock.</summary>
    private static readonly Column BytesPerLock = new("B/lock", c => Fixed(c[Metrics.BytesPerLock].Median, "0.0"));

    /// <summary>Columns wide enough for every row of the tables, so that a redirected terminal does not wrap them.</summary>
    public const int Width = 180;

    private static readonly string[] RatioHeader =
        ["threads", "paravirt / native", "paravirt / lock", "paravirt / best .NET", "native / best .NET", "native Jain", "paravirt Jain"];

    /// <summary>The striped workload's ratios: each QSpinLockArray shape and mode against Lock[], and the dense array's memory against Lock[]'s.</summary>
    private static readonly string[] StripedRatioHeader =
        ["threads", "padded pv", "dense pv", "padded native", "dense native", "padded tas", "dense tas", "dense bytes"];

    /// <summary>The contender names the striped ratios compare, in <see cref="StripedRatioHeader"/>'s order (after threads).</summary>
    private static readonly string[] StripedRatioLocks =
        ["qspin-array-padded-paravirt", "qspin-array-paravirt", "qspin-array-padded-native", "qspin-array-native", "qspin-array-padded-tas", "qspin-array-tas"];

    /// <summary>The striped ratios' denominator.</summary>
    public const string LockArray = "lock-array";

    /// <summary>The .NET locks "best .NET" compares with.</summary>
    public static readonly string[] DotNetLocks = ["lock", "monitor", "spinlock"];

    public static void Write(IAnsiConsole console, BenchReport report)
    {
        foreach (Shape shape in report.Shapes())
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"{shape.Title}; medians of {report.RepeatsText(Cells(report, shape))}");
            foreach (string h in HeaderOf(shape, onConsole: true)) table.AddColumn(new TableColumn(new Text(h)).RightAligned().NoWrap());
            int lastThreads = -1;
            foreach (var row in Rows(report, shape, onConsole: true))
            {
                if (lastThreads >= 0 && row.Threads != lastThreads) table.AddEmptyRow();
                lastThreads = row.Threads;
                table.AddRow(row.Cells.Select(c => new Text(c)).ToArray());
            }
            console.Write(table);

            var ratios = RatioRows(report, shape).ToList();
            if (ratios.Count == 0) continue;
            var rt = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(RatioTitleOf(shape)));
            foreach (string h in RatioHeaderOf(shape)) rt.AddColumn(new TableColumn(new Text(h)).RightAligned().NoWrap());
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
        if (report.Floor is { } floor)
        {
            string line = floor.Describe();
            sb.Append(char.ToUpperInvariant(line[0])).Append(line[1..]).Append(".\n\n");
        }
        foreach (Shape shape in report.Shapes())
        {
            string title = shape.Title;
            sb.Append(CultureInfo.InvariantCulture, $"### {char.ToUpperInvariant(title[0])}{title[1..]} (medians of {report.RepeatsText(Cells(report, shape))})\n\n");
            MarkdownTable(sb, HeaderOf(shape, onConsole: false), Rows(report, shape, onConsole: false).Select(r => r.Cells));
            var ratios = RatioRows(report, shape).ToList();
            if (ratios.Count == 0) continue;
            string ratioTitle = RatioTitleOf(shape);
            sb.Append(ratioTitle[..1].ToUpperInvariant()).Append(ratioTitle[1..]).Append(".\n\n");
            MarkdownTable(sb, RatioHeaderOf(shape), ratios);
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

    /// <summary>The columns of <paramref name="shape"/>'s table: on the console, or in results.md (all of them).</summary>
    private static IEnumerable<Column> ColumnsOf(Shape shape, bool onConsole) =>
        Common.Concat(shape.IsStriped ? [BytesPerLock] : Handoffs).Where(c => c.OnConsole || !onConsole);

    private static string[] HeaderOf(Shape shape, bool onConsole) => [.. ColumnsOf(shape, onConsole).Select(c => c.Header)];

    private static string[] RatioHeaderOf(Shape shape) => shape.IsStriped ? StripedRatioHeader : RatioHeader;

    private static IEnumerable<CellSummary> Cells(BenchReport report, Shape shape) =>
        report.Summary.Where(c => c.Shape == shape);

    /// <summary>The rows of <paramref name="shape"/>'s table, with the cells of <see cref="ColumnsOf"/>.</summary>
    private static IEnumerable<(int Threads, string[] Cells)> Rows(BenchReport report, Shape shape, bool onConsole)
    {
        var columns = ColumnsOf(shape, onConsole).ToList();
        return Cells(report, shape).Select(c => (c.Threads, columns.Select(col => col.Cell(c)).ToArray()));
    }

    /// <summary>What the key-ratio cells are.</summary>
    public const string RatioTitle = "key ratios of throughput: median over repetitions of the ratio within each repetition (min-max); Jain: median";

    /// <summary>What the striped key-ratio cells are.</summary>
    public const string StripedRatioTitle = "QSpinLockArray over Lock[]: throughput, median over repetitions of the ratio within each repetition (min-max); dense bytes: bytes per lock over Lock[]'s";

    private static string RatioTitleOf(Shape shape) => shape.IsStriped ? StripedRatioTitle : RatioTitle;

    /// <summary>
    /// Per thread count, the ratios the paravirt design is judged by (striped: each QSpinLockArray
    /// contender over <c>Lock[]</c>, and the memory ratio of the dense array); only rows whose contenders ran.
    /// Each ratio is taken within a repetition (the cells of one repetition run one after another, so a
    /// machine that changes speed between repetitions moves both sides) and then summarised over the
    /// repetitions; "best .NET" is the fastest .NET lock of each repetition.
    /// </summary>
    public static IEnumerable<string[]> RatioRows(BenchReport report, Shape shape)
    {
        var cells = Cells(report, shape).ToList();
        var samples = report.Samples.Where(r => r.Sample.Shape == shape).ToList();
        foreach (int t in cells.Select(c => c.Threads).Distinct())
        {
            var byRepeat = samples.Where(r => r.Sample.Threads == t).GroupBy(r => r.Repeat)
                .Select(g => g.GroupBy(r => r.Sample.Lock).ToDictionary(l => l.Key, l => l.Last().Sample.AcquisitionsPerSecond))
                .ToList();
            double Tput(IReadOnlyDictionary<string, double> rep, string name) => rep.TryGetValue(name, out double v) ? v : double.NaN;
            double BestDotNet(IReadOnlyDictionary<string, double> rep) =>
                DotNetLocks.Select(n => Tput(rep, n)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
            string Paired(Func<IReadOnlyDictionary<string, double>, double> a, Func<IReadOnlyDictionary<string, double>, double> b) =>
                RatioSpread(Statistics.PairedRatios(byRepeat.Select(rep => (a(rep), b(rep)))));
            double JainOf(string name) => cells.FirstOrDefault(c => c.Threads == t && c.Lock == name)?[Metrics.Jain].Median ?? double.NaN;

            if (shape.IsStriped)
            {
                if (!cells.Any(c => c.Threads == t && c.Lock == LockArray)) continue;
                double bytes(string name) => cells.FirstOrDefault(c => c.Threads == t && c.Lock == name)?[Metrics.BytesPerLock].Median ?? double.NaN;
                double memory = bytes("qspin-array-paravirt") / bytes(LockArray);
                yield return
                [
                    t.ToString(CultureInfo.InvariantCulture),
                    .. StripedRatioLocks.Select(name => Paired(r => Tput(r, name), r => Tput(r, LockArray))),
                    double.IsNaN(memory) ? "-" : Number(memory) + "x",
                ];
                continue;
            }
            if (!cells.Any(c => c.Threads == t && c.Lock is "qspin-paravirt" or "qspin-native")) continue;
            yield return
            [
                t.ToString(CultureInfo.InvariantCulture),
                Paired(r => Tput(r, "qspin-paravirt"), r => Tput(r, "qspin-native")),
                Paired(r => Tput(r, "qspin-paravirt"), r => Tput(r, "lock")),
                Paired(r => Tput(r, "qspin-paravirt"), BestDotNet),
                Paired(r => Tput(r, "qspin-native"), BestDotNet),
                Fixed(JainOf("qspin-native"), "0.000"), Fixed(JainOf("qspin-paravirt"), "0.000"),
            ];
        }
    }

    /// <summary>"1.13x (0.86-1.30)", or "1.13x" when every repetition agreed, or "-" when there was no pair.</summary>
    public static string RatioSpread(Spread r) =>
        double.IsNaN(r.Median) ? "-" : r.Min == r.Max ? Ratio(r.Median) : $"{Ratio(r.Median)} ({Number(r.Min)}-{Number(r.Max)})";

    private static string Ratio(double v) => double.IsPositiveInfinity(v) ? "inf" : Number(v) + "x";

    private static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "inf" : v.ToString(v >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture);

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
