using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Mathematics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace QSpin.Benchmarks;

/// <summary>
/// A "mean ratio ± standard deviation" column against a reference benchmark picked per row: the floor
/// or System.Threading.Lock in the same job (same QSpin mode) and parameters, or the same benchmark in
/// the native job. Every benchmark case runs in processes of its own, so each ratio compares processes
/// that ran at different times. The spread is the standard deviation of the ratios of every pair of
/// iteration means (BenchmarkDotNet's <see cref="Statistics.Divide"/>, the same as its own RatioSD).
/// </summary>
public sealed class RatioColumn : IColumn
{
    private readonly Func<BenchmarkCase, BenchmarkCase, bool> _isReference;

    private RatioColumn(string name, string legend, Func<BenchmarkCase, BenchmarkCase, bool> isReference)
    {
        ColumnName = name;
        Id = nameof(RatioColumn) + "." + name;
        Legend = legend;
        _isReference = isReference;
    }

    /// <summary>Mean over the floor (<see cref="Uncontended.Floor"/>) of the same job and parameters.</summary>
    public static readonly RatioColumn VsFloor = new(
        "vs floor",
        $"Mean / mean of {Uncontended.Floor} in the same job (QSpin mode) and parameters, ± standard deviation",
        (row, other) => SameJob(row, other) && SameParams(row, other) && other.Descriptor.WorkloadMethod.Name == Uncontended.Floor);

    /// <summary>Mean over System.Threading.Lock Enter/Exit of the same job and parameters.</summary>
    public static readonly RatioColumn VsLock = new(
        "vs Lock",
        $"Mean / mean of {Uncontended.LockReference} in the same job (QSpin mode) and parameters, ± standard deviation",
        (row, other) => SameJob(row, other) && SameParams(row, other) && other.Descriptor.WorkloadMethod.Name == Uncontended.LockReference);

    /// <summary>Mean over the same benchmark and parameters in the native job.</summary>
    public static readonly RatioColumn VsNative = new(
        "vs native",
        "Mean / mean of the same benchmark and parameters in the native job, ± standard deviation",
        (row, other) => other.Job.Id == BenchConfig.NativeJobId && SameParams(row, other)
                        && other.Descriptor.WorkloadMethod.Name == row.Descriptor.WorkloadMethod.Name);

    private static bool SameJob(BenchmarkCase a, BenchmarkCase b) => a.Job.Id == b.Job.Id;

    private static bool SameParams(BenchmarkCase a, BenchmarkCase b) => a.Parameters.ValueInfo == b.Parameters.ValueInfo;

    public string Id { get; }
    public string ColumnName { get; }
    public string Legend { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkCase? reference = summary.BenchmarksCases.FirstOrDefault(c => _isReference(benchmarkCase, c));
        Statistics? row = summary[benchmarkCase]?.ResultStatistics;
        Statistics? baseline = reference is null ? null : summary[reference]?.ResultStatistics;
        if (row is null || baseline is null || baseline.Mean <= 0) return "-";
        Statistics ratio = Statistics.Divide(row, baseline);
        return string.Format(CultureInfo.InvariantCulture, "{0:0.00} ± {1:0.00}", ratio.Mean, ratio.StandardDeviation);
    }

    public override string ToString() => ColumnName;
}
