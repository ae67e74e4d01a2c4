using System.Collections.ObjectModel;
using System.Diagnostics.Metrics;

namespace QSpin;

/// <summary>
/// The lock's event counters, named as the Linux kernel names them (<c>lock_pending</c>,
/// <c>lock_slowpath</c>, ..., <c>pv_wait_node</c>) plus <c>fastpath</c> and <c>tas_spin</c>.
/// Off by default: set the environment variable <c>QSPIN_STATS=1</c> or the AppContext switch
/// <c>QSpin.Stats</c> before the first lock is used. With stats off the lock's compiled code contains no
/// trace of them. With stats on, a <see cref="Meter"/> named <c>QSpin</c> publishes them for
/// <c>dotnet-counters monitor --counters QSpin</c> and OpenTelemetry.
/// </summary>
public static class QSpinStats
{
    /// <summary>The name of the meter and of the event source.</summary>
    public const string MeterName = "QSpin";

    /// <summary>True when this process counts lock events; fixed for the process lifetime.</summary>
    public static bool Enabled => LockEvents.Enabled;

    /// <summary>
    /// The events since the last <see cref="Reset"/>, keyed by kernel name. Counts are totals;
    /// <c>pv_hash_hops</c>, <c>pv_latency_kick</c> and <c>pv_latency_wake</c> are averages (hops per
    /// registration, nanoseconds per kick, nanoseconds from kick to wake-up), as the kernel reports them.
    /// Every key is present; all values are 0 when stats are off.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Snapshot()
    {
        long[] totals = LockEvents.Totals();
        var d = new Dictionary<string, double>(LockEvents.All.Length);
        foreach (LockEventInfo info in LockEvents.All) d[info.KernelName] = Value(info, totals);
        return new ReadOnlyDictionary<string, double>(d);
    }

    /// <summary>
    /// Starts <see cref="Snapshot"/> from zero again (a new baseline; no thread's counter is written).
    /// The meter's counters are not reset: they count since the process started, as counters must.
    /// </summary>
    public static void Reset() => LockEvents.Reset();

    /// <summary>The kernel name, the .NET (meter) name and the meaning of every event, for docs and tools.</summary>
    public static IReadOnlyList<(string KernelName, string DotNetName, string Description)> Events { get; } =
        LockEvents.All.Select(i => (i.KernelName, i.DotNetName, i.Description)).ToArray();

    private static double Value(LockEventInfo info, long[] totals)
    {
        long v = totals[(int)info.Event];
        if (info.AverageOver is not { } over) return v;
        long n = totals[(int)over];
        return n == 0 ? 0 : (double)v / n;
    }

    /// <summary>Creates the meter; called once by the counters' type initialiser when stats are on.</summary>
    internal static Meter CreateMeter()
    {
        var meter = new Meter(MeterName, typeof(QSpinStats).Assembly.GetName().Version?.ToString());
        foreach (LockEventInfo info in LockEvents.All)
        {
            LockEventInfo i = info;
            string name = "qspin." + i.DotNetName;
            if (i.AverageOver is null)
                meter.CreateObservableCounter(name, () => LockEvents.Totals(sinceReset: false)[(int)i.Event], unit: "{event}", description: i.Description);
            else
                meter.CreateObservableGauge(name, () => Value(i, LockEvents.Totals(sinceReset: false)), unit: i.Unit ?? "{hop}", description: i.Description);
        }
        return meter;
    }
}
