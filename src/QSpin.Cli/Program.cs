using System.CommandLine;
using QSpin.Cli.Bench;
using QSpin.Cli.Torture;

namespace QSpin.Cli;

/// <summary>The <c>qspin</c> command line: information about the lock, and the tools built on it.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => Run(args);

    /// <summary>
    /// Parses and runs a command line. A command line that does not parse prints one line per error
    /// (each naming the argument at fault, without the help text; see <see cref="Usage"/>) and returns
    /// <see cref="ExitCodes.BadArgument"/>.
    /// </summary>
    public static int Run(string[] args, InvocationConfiguration? configuration = null)
    {
        ParseResult result = BuildRoot().Parse(args);
        if (result.Errors.Count > 0) return Usage.Reject(configuration?.Error ?? Console.Error, result.Errors.Select(e => e.Message));
        return result.Invoke(configuration);
    }

    /// <summary>The command tree; each tool adds its own command here.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("QSpin: the Linux kernel's queued spinlock for .NET.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(new BenchCommand());
        root.Subcommands.Add(TortureCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        return root;
    }
}
