using ScottPlot;

namespace QSpin.Cli.Bench;

/// <summary>
/// The figures, drawn with ScottPlot as PNG and SVG: throughput, fairness (Jain) and p99 acquisition
/// latency against the thread count, one line per contender, the median of the repetitions with the
/// min-max spread as error bars. Thread counts sit on a log2 axis; latency on a log10 axis. A striped
/// run over several bucket counts also gets the sweep: throughput against the bucket count (log10),
/// one figure per thread count and key pattern (<c>sweep-KEYS-tN</c>).
/// </summary>
internal static class Plots
{
    public const int Width = 900, Height = 520;

    /// <summary>The kinds of plot, with their file stem.</summary>
    public static readonly IReadOnlyList<(string Stem, Metric Metric)> Figures =
    [
        ("throughput", Metrics.Throughput),
        ("fairness", Metrics.Jain),
        ("latency-p99", Metrics.P99),
    ];

    /// <summary>Writes every figure for every size combination into <paramref name="folder"/>; returns the file names.</summary>
    public static IReadOnlyList<string> WriteAll(BenchReport report, string folder)
    {
        var shapes = report.Shapes().ToList();
        var files = new List<string>();
        foreach (Shape shape in shapes)
        {
            var cells = report.Summary.Where(c => c.Shape == shape).ToList();
            string suffix = shapes.Count == 1 ? "" : shape.FileSuffix;
            string sizeNote = shape.Title;
            foreach (var (stem, metric) in Figures)
            {
                var plot = Draw(cells, report.Contenders.Select(c => c.Name).ToList(), metric, sizeNote, report, XAxis.Threads(report));
                Save(plot, folder, $"{stem}{suffix}", files);
            }
        }

        // The sweep: the same cells regrouped by thread count, against the bucket count.
        foreach (var group in report.Summary.Where(c => c.Shape.IsStriped).GroupBy(c => (c.Keys, c.PrivateWork, c.Threads)))
        {
            var cells = group.ToList();
            if (cells.Select(c => c.Buckets).Distinct().Count() < 2) continue;
            string keys = group.Key.Keys.ToString().ToLowerInvariant();
            string note = $"striped, {keys} keys, {group.Key.Threads} threads, private work {group.Key.PrivateWork} steps";
            var plot = Draw(cells, report.Contenders.Select(c => c.Name).ToList(), Metrics.Throughput, note, report, XAxis.Buckets);
            Save(plot, folder, $"sweep-{keys}-t{group.Key.Threads}", files);
        }
        return files;
    }

    private static void Save(Plot plot, string folder, string stem, List<string> files)
    {
        foreach (string ext in new[] { "png", "svg" })
        {
            string name = $"{stem}.{ext}";
            string path = Path.Combine(folder, name);
            if (ext == "png") plot.SavePng(path, Width, Height);
            else plot.SaveSvg(path, Width, Height);
            files.Add(name);
        }
    }

    /// <summary>What a figure's x axis shows: the value of a cell, where it sits on the (log) axis, and the axis label.</summary>
    private sealed record XAxis(Func<CellSummary, int> Of, Func<int, double> Position, string Label, string Name)
    {
        public static XAxis Threads(BenchReport report) => new(c => c.Threads, t => Math.Log2(t), $"threads ({report.Machine.Cpus} cores)", "threads");

        public static readonly XAxis Buckets = new(c => c.Buckets, b => Math.Log10(b), "buckets (one lock each), log scale", "buckets");
    }

    private static Plot Draw(IReadOnlyList<CellSummary> cells, IReadOnlyList<string> locks, Metric metric, string sizeNote, BenchReport report, XAxis x)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        bool logY = metric == Metrics.P99;
        int[] ticks = [.. cells.Select(x.Of).Distinct().Order()];
        for (int i = 0; i < locks.Count; i++)
        {
            var mine = cells.Where(c => c.Lock == locks[i]).OrderBy(x.Of).ToList();
            if (mine.Count == 0) continue;
            double[] xs = [.. mine.Select(c => x.Position(x.Of(c)))];
            double[] ys = [.. mine.Select(c => Scale(c[metric].Median, metric, logY))];
            var color = plot.Add.Palette.GetColor(i);
            var errors = plot.Add.ErrorBar(xs, ys, new double[xs.Length]);
            errors.YErrorPositive = [.. mine.Select((c, k) => Math.Max(0, Scale(c[metric].Max, metric, logY) - ys[k]))];
            errors.YErrorNegative = [.. mine.Select((c, k) => Math.Max(0, ys[k] - Scale(c[metric].Min, metric, logY)))];
            errors.Color = color;
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = locks[i];
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = 7;
            if (i >= 10) line.LinePattern = LinePattern.Dashed; // the palette repeats after ten colours
        }

        plot.Axes.Bottom.SetTicks([.. ticks.Select(x.Position)], [.. ticks.Select(t => t.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))]);
        plot.XLabel(x.Label);
        if (metric == Metrics.Throughput)
        {
            plot.YLabel("million acquisitions per second");
            plot.Axes.SetLimitsY(0, Math.Max(1e-3, cells.Max(c => Finite(c[metric].Max)) / 1e6 * 1.08));
        }
        else if (metric == Metrics.Jain)
        {
            plot.YLabel("Jain's fairness index (1 = equal shares)");
            plot.Axes.SetLimitsY(0, 1.05);
        }
        else
        {
            plot.YLabel($"{metric.Title} (ns, log scale)");
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        plot.Title($"{Capitalize(metric.Title)} vs {x.Name}\n{sizeNote}; median of {report.RepeatsText(cells)}, bars min-max" + (report.Complete ? "" : " (PARTIAL)"), size: 15);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static double Scale(double v, Metric metric, bool logY) =>
        logY ? Math.Log10(Math.Max(1, v)) : metric == Metrics.Throughput ? v / 1e6 : Finite(v);

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;

    private static string Capitalize(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
