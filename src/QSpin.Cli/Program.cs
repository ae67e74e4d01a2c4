using System.CommandLine;

namespace QSpin.Cli;

/// <summary>The <c>qspin</c> command line: information about the lock, and the tools built on it.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => BuildRoot().Parse(args).Invoke();

    /// <summary>The command tree; each tool adds its own command here.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("QSpin: the Linux kernel's queued spinlock for .NET.");
        root.Subcommands.Add(InfoCommand.Create());
        return root;
    }
}
