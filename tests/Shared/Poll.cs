namespace QSpin.Testing;

/// <summary>Waiting for something another thread or process does, in tests: polls, and fails after a generous bound instead of hanging.</summary>
/// <remarks>A source file shared by the test assemblies (linked into each project), so each keeps its own internal copy.</remarks>
internal static class Poll
{
    /// <summary>How long a wait may take before it fails: long enough for a loaded 2-core machine, short enough to end a hung test.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Returns once <paramref name="condition"/> holds, checking about every millisecond; throws
    /// <see cref="TimeoutException"/> naming <paramref name="what"/> (and <paramref name="state"/>, read then) after <see cref="Bound"/>.
    /// </summary>
    public static void Until(Func<bool> condition, string what, Func<string>? state = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > Bound) throw new TimeoutException("Gave up waiting for: " + what + (state is null ? "" : "; " + state()));
            Thread.Sleep(1);
        }
    }
}
