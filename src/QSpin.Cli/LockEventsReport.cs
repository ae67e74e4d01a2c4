using System.Globalization;
using System.Text;

namespace QSpin.Cli;

/// <summary>The kernel-style lock-event listing printed by the tools when QSPIN_STATS=1.</summary>
internal static class LockEventsReport
{
    /// <summary>One "name: value" line per event that occurred, or a hint that stats are off.</summary>
    public static string Format(IReadOnlyDictionary<string, double> events)
    {
        if (!QSpinStats.Enabled) return "Lock events: off (set QSPIN_STATS=1 to count them)";
        var sb = new StringBuilder("Lock events:");
        foreach (var (name, value) in events.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (value == 0) continue;
            string text = value == Math.Floor(value) ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("N2", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"\n  {name,-20} {text,16}");
        }
        return sb.ToString();
    }
}
