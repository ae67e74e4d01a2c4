using HdrHistogram;

namespace QSpin.Cli.Bench;

/// <summary>A value over the repetitions of one cell: the median and the spread (min and max).</summary>
internal sealed record Spread(double Median, double Min, double Max)
{
    /// <summary>(max - min) / median: the relative spread, 0 when every repetition agreed.</summary>
    public double Relative => Median != 0 && double.IsFinite(Max - Min) ? (Max - Min) / Math.Abs(Median) : double.NaN;
}

/// <summary>The statistics of the benchmark, small enough to check by hand.</summary>
internal static class Statistics
{
    /// <summary>
    /// Jain's fairness index (sum x)^2 / (n * sum x^2): 1 when every thread got the same share, 1/n when
    /// one thread got everything. NaN when nobody got anything.
    /// </summary>
    public static double JainIndex(IReadOnlyCollection<long> counts)
    {
        double sum = 0, squares = 0;
        foreach (long c in counts)
        {
            sum += c;
            squares += (double)c * c;
        }
        return squares == 0 ? double.NaN : sum * sum / (counts.Count * squares);
    }

    /// <summary>Largest count over the smallest: 1 when even; infinite when some thread got nothing; NaN when nobody got anything.</summary>
    public static double MaxOverMin(IReadOnlyCollection<long> counts)
    {
        if (counts.Count == 0) return double.NaN;
        long max = counts.Max(), min = counts.Min();
        if (max == 0) return double.NaN;
        return min == 0 ? double.PositiveInfinity : (double)max / min;
    }

    /// <summary>The median (the mean of the two middle values for an even count), minimum and maximum; NaN values are left out.</summary>
    public static Spread Summarize(IEnumerable<double> values)
    {
        double[] v = values.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (v.Length == 0) return new Spread(double.NaN, double.NaN, double.NaN);
        int mid = v.Length / 2;
        double median = v.Length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
        return new Spread(median, v[0], v[^1]);
    }

    /// <summary>
    /// The ratio a / b within each pair, summarised: median, min and max. Pairs are measurements made
    /// close together in time (the same repetition), so a machine that speeds up or slows down between
    /// repetitions moves both sides; pairs with a NaN or a zero denominator are left out.
    /// </summary>
    public static Spread PairedRatios(IEnumerable<(double A, double B)> pairs) =>
        Summarize(pairs.Where(p => p.B != 0).Select(p => p.A / p.B));

    /// <summary>p50, p99, p99.9 and max of a latency histogram recorded in nanoseconds.</summary>
    public static Latency Percentiles(HistogramBase h) => h.TotalCount == 0
        ? new Latency(0, 0, 0, 0, 0)
        : new Latency(h.TotalCount, h.GetValueAtPercentile(50), h.GetValueAtPercentile(99), h.GetValueAtPercentile(99.9), h.GetMaxValue());
}
