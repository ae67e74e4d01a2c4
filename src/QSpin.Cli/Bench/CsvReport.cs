using System.Globalization;
using System.Text;

namespace QSpin.Cli.Bench;

/// <summary>
/// The CSV files: results.csv has one row per cell with the median, min and max of every metric;
/// samples.csv has one row per repetition with the raw figures and the per-thread counts.
/// Invariant culture; NaN and Infinity are spelled out.
/// </summary>
internal static class CsvReport
{
    public static readonly string[] SummaryKeyColumns = ["lock", "threads", "cs_lines", "private_work", "buckets", "keys", "repeats"];

    /// <summary>The columns of results.csv.</summary>
    public static IEnumerable<string> SummaryColumns() =>
        SummaryKeyColumns
            .Concat(Metrics.All.SelectMany(m => new[] { m.Column, m.Column + "_min", m.Column + "_max" }))
            .Append("mutual_exclusion");

    /// <summary>The columns of samples.csv.</summary>
    public static readonly string[] SampleColumns =
        ["lock", "mode", "threads", "cs_lines", "private_work", "buckets", "keys", "repeat", "elapsed_s", "acquisitions", "cpu_s", "latency_samples",
         .. Metrics.All.Select(m => m.Column), "mutual_exclusion", "per_thread"];

    public static string Summary(IEnumerable<CellSummary> cells)
    {
        var sb = new StringBuilder();
        Row(sb, SummaryColumns());
        foreach (var c in cells)
        {
            Row(sb, [c.Lock, N(c.Threads), N(c.CsLines), N(c.PrivateWork), N(c.Buckets), Keys(c.Buckets, c.Keys), N(c.Repeats),
                .. Metrics.All.SelectMany(m => new[] { N(c[m].Median), N(c[m].Min), N(c[m].Max) }),
                Flag(c.MutualExclusionHeld)]);
        }
        return sb.ToString();
    }

    /// <summary>samples.csv; <paramref name="floorNs"/> is the run's cache-line floor, for the figures relative to it (NaN: none).</summary>
    public static string Samples(IEnumerable<RepeatedSample> samples, double floorNs = double.NaN)
    {
        var sb = new StringBuilder();
        Row(sb, SampleColumns);
        foreach (var (repeat, s) in samples)
        {
            Row(sb, [s.Lock, s.Mode ?? "", N(s.Threads), N(s.CsLines), N(s.PrivateWork), N(s.Buckets), Keys(s.Buckets, s.Keys), N(repeat), N(s.ElapsedSeconds), N(s.Acquisitions),
                N(s.CpuSeconds), N(s.Latency.Samples), .. Metrics.All.Select(m => N(m.Of(s, floorNs))), Flag(s.MutualExclusionHeld),
                string.Join(' ', s.PerThread)]);
        }
        return sb.ToString();
    }

    private static string N(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>The key pattern of a striped row; empty for the single-lock workload.</summary>
    private static string Keys(int buckets, KeyPattern keys) => buckets > 0 ? keys.ToString().ToLowerInvariant() : "";

    private static string Flag(bool? v) => v switch { true => "held", false => "VIOLATED", null => "" };

    // Names and numbers never contain commas or quotes; per-thread counts are space-separated.
    private static void Row(StringBuilder sb, IEnumerable<string> fields) => sb.AppendJoin(',', fields).Append('\n');
}
