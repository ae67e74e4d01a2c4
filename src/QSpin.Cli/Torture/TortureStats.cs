using System.Globalization;

namespace QSpin.Cli.Torture;

/// <summary>The locktorture statistics line.</summary>
internal static class TortureStats
{
    /// <summary>
    /// <c>Writes: Total: N Max/Min: a/b Fail: k</c>, then <c> ???</c> when max/2 &gt; min (a writer
    /// starves; normal for an unfair lock) and <c> !!!</c> on any failure.
    /// </summary>
    public static string Line(long total, long max, long min, long failures) =>
        string.Create(CultureInfo.InvariantCulture, $"Writes: Total: {total} Max/Min: {max}/{min} Fail: {failures}")
        + (max / 2 > min ? " ???" : "")
        + (failures > 0 ? " !!!" : "");

    /// <summary>The line for the writers' counts so far.</summary>
    public static string Line(IReadOnlyList<Writer> writers, long failures)
    {
        long total = 0, max = long.MinValue, min = long.MaxValue;
        foreach (Writer w in writers)
        {
            long n = w.Writes;
            total += n;
            max = Math.Max(max, n);
            min = Math.Min(min, n);
        }
        return writers.Count == 0 ? Line(0, 0, 0, failures) : Line(total, max, min, failures);
    }
}
