using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace QSpin.Cli.Bench;

/// <summary>
/// <c>qspin bench-worker --lock NAME</c> (hidden): the child process that <c>qspin bench</c> starts once per
/// contender, with QSPIN_MODE set for QSpin contenders, since the mode is fixed per process. It writes
/// a <see cref="WorkerHello"/> line, then reads one <see cref="WorkerRequest"/> per line from standard
/// input (a cell to measure, or once per run the cache-line floor) and answers each with one <see cref="WorkerReply"/> line on standard output, until standard
/// input closes. Ctrl+C is left to the parent, which stops the worker by closing its input or killing it.
/// </summary>
internal static class WorkerCommand
{
    public const string Name = "bench-worker";

    public static Command Create()
    {
        var lockOption = new Option<string>("--lock") { Description = "The contender to run.", Required = true };
        var cmd = new Command(Name, "Internal: runs one contender for `qspin bench` in its own process.") { Hidden = true };
        cmd.Options.Add(lockOption);
        cmd.SetAction(parse => Run(parse.GetValue(lockOption)!, Console.In, Console.Out, Console.Error));
        return cmd;
    }

    public static int Run(string name, TextReader input, TextWriter output, TextWriter error)
    {
        if (Contenders.Find(name) is not { } contender)
        {
            return Usage.Reject(error, "--lock: " + Usage.UnknownLock(name, Contenders.Names));
        }

        // The parent owns Ctrl+C: the terminal sends SIGINT to the whole foreground process group (on
        // Windows the runtime maps SIGINT to the console's Ctrl+C event, sent to every process attached).
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => ctx.Cancel = true);

        string? mode = null, reason = null;
        if (contender.Mode is { } expected)
        {
            if (QSpinOps.ConfigurationError is { } bad)
            {
                error.WriteLine(bad);
                return ExitCodes.BadArgument;
            }
            if (QSpinOps.Mode != expected)
            {
                error.WriteLine($"{contender.Name}: expected QSpin mode {expected}, but this process selected {QSpinOps.Mode} ({QSpinOps.Reason})");
                return ExitCodes.BadArgument;
            }
            mode = QSpinOps.Mode.ToString();
            reason = QSpinOps.Reason;
        }

        Send(output, new WorkerHello(contender.Name, Environment.ProcessId, mode, reason, RaisePriority()));
        while (input.ReadLine() is { } line)
        {
            WorkerReply reply;
            try
            {
                var request = JsonSerializer.Deserialize<WorkerRequest>(line, BenchJson.Line);
                reply = request switch
                {
                    { Floor: { } floor } => new WorkerReply(null, null, CacheLineFloor.Measure(floor.Rounds, floor.Times)),
                    { Spec: { } spec } => new WorkerReply(contender.Run(spec) with { Lock = contender.Name, Mode = mode }, null),
                    _ => throw new InvalidDataException("empty request"),
                };
            }
            catch (Exception e)
            {
                reply = new WorkerReply(null, $"{e.GetType().Name}: {e.Message}");
            }
            Send(output, reply);
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Raises this process to high priority, as BenchmarkDotNet does for its benchmark processes, so
    /// that other work on the machine disturbs the measurement less. On Linux the nice value belongs to
    /// the thread: the main thread gets it here and the measured threads it creates inherit it. Needs
    /// the right to lower the nice value (root, or CAP_SYS_NICE); without it the worker runs as it is.
    /// </summary>
    private static string RaisePriority()
    {
        try
        {
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            self.PriorityClass = System.Diagnostics.ProcessPriorityClass.High;
            return "high";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            return "normal (could not raise it: " + e.Message + ")";
        }
    }

    private static void Send<T>(TextWriter output, T message)
    {
        output.WriteLine(JsonSerializer.Serialize(message, BenchJson.Line));
        output.Flush();
    }
}
