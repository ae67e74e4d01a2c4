namespace QSpin.Cli;

/// <summary>
/// How every <c>qspin</c> command reports a command line or setting it cannot use: one line per problem,
/// <c>qspin: OPTION: problem</c>, on standard error, without the help text, and <see cref="ExitCodes.BadArgument"/>.
/// </summary>
internal static class Usage
{
    /// <summary>Writes each problem on its own line; returns the exit code for the caller to return.</summary>
    public static int Reject(TextWriter error, IEnumerable<string> problems)
    {
        foreach (string p in problems) error.WriteLine($"qspin: {p}");
        return ExitCodes.BadArgument;
    }

    /// <summary>Writes one problem; returns the exit code for the caller to return.</summary>
    public static int Reject(TextWriter error, string problem) => Reject(error, [problem]);

    /// <summary>The problem text for a lock name that no lock has: <c>unknown lock 'NAME' (known: ...)</c>.</summary>
    public static string UnknownLock(string name, string known) => $"unknown lock '{name}' (known: {known})";
}
