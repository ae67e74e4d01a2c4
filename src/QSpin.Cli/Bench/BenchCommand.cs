using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;

namespace QSpin.Cli.Bench;

/// <summary>
/// <c>qspin bench</c>: the contention benchmark of QSpinLock (each mode in its own process) against
/// .NET's locks and two textbook references, with tables, CSV, JSON and plots.
/// </summary>
internal sealed class BenchCommand : Command
{
    /// <summary>The options, registered on this command.</summary>
    public BenchOptions Bench { get; } = new();

    public BenchCommand()
        : base("bench", "Measure QSpinLock in each mode against System.Threading.Lock, Monitor, SpinLock and textbook ticket and MCS locks: throughput, fairness, CPU time and latency per thread count. With --workload striped: QSpinLockArray (dense and padded) against Lock[], SpinLock[] and Monitor on object[], with bytes per lock.")
    {
        foreach (var o in Bench.All) Options.Add(o);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        if (Bench.Check(parse) is { } problem) return Usage.Reject(parse.InvocationConfiguration.Error, problem);
        var settings = Bench.Settings(parse, Environment.ProcessorCount);
        using var cancel = new CancellationTokenSource();
        // The first Ctrl+C (or SIGTERM) stops the run and keeps what finished; a second one is not intercepted.
        void Stop(PosixSignalContext ctx)
        {
            ctx.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        // A terminal gets colours and a live progress bar; a file, pipe or test writer gets plain text
        // (progress lines now and then) and tables wide enough not to wrap.
        var output = parse.InvocationConfiguration.Output;
        bool terminal = output == Console.Out && !Console.IsOutputRedirected;
        var console = terminal
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        if (!terminal) console.Profile.Width = Math.Max(console.Profile.Width, ResultTable.Width);
        string line = "qspin " + string.Join(' ', parse.Tokens.Select(t => t.Value));
        return new BenchRunner(settings, console, parse.InvocationConfiguration.Error, line).Run(cancel.Token);
    }
}
