namespace QSpin.TestHost;

/// <summary>Named checks of one scenario: each returns null when it holds, or what went wrong (printed as a FAIL line).</summary>
internal sealed class Checks
{
    private readonly List<string> _results = [];
    private bool _failed;

    public void Run(string name, Func<string?> check)
    {
        string? problem = check();
        if (problem is not null) Console.WriteLine($"FAIL: {name}: {problem}");
        _failed |= problem is not null;
        _results.Add($"{name}={(problem is null ? "ok" : "FAILED")}");
    }

    /// <summary>Prints "<paramref name="headline"/> name=ok ..." and returns the exit code (0: every check held).</summary>
    public int Report(string headline)
    {
        Console.WriteLine($"{headline} {string.Join(' ', _results)}");
        return _failed ? 1 : 0;
    }
}
