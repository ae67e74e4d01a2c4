using System.CommandLine;
using System.CommandLine.Invocation;
using QSpin.Cli.Bench;

namespace QSpin.Cli;

/// <summary>The <c>qspin</c> command line: information about the lock, and the tools built on it.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => Run(args);

    /// <summary>Parses and runs a command line; a parse error prints one line per error, without the help text.</summary>
    public static int Run(string[] args, InvocationConfiguration? configuration = null)
    {
        var parse = BuildRoot().Parse(args);
        if (parse.Action is ParseErrorAction error) error.ShowHelp = false;
        return parse.Invoke(configuration);
    }

    /// <summary>The command tree; each tool adds its own command here.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("QSpin: the Linux kernel's queued spinlock for .NET.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(new BenchCommand());
        root.Subcommands.Add(WorkerCommand.Create());
        return root;
    }
}
