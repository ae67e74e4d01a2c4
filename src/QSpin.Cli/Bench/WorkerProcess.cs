using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace QSpin.Cli.Bench;

/// <summary>
/// The parent's handle on one <c>bench-worker</c> child process: this same program started again
/// (the apphost, or <c>dotnet QSpin.Cli.dll</c> when running under the dotnet host or a test host)
/// with QSPIN_MODE set for the contender. Requests and replies are JSON lines on its standard input
/// and output; its standard error is kept for error messages.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    public Contender Contender { get; }

    /// <summary>The worker's first line.</summary>
    public WorkerHello Hello { get; }

    private WorkerProcess(Contender contender, Process process, TimeSpan startTimeout)
    {
        Contender = contender;
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) if (_stderr.Length < 4000) _stderr.AppendLine(e.Data);
        };
        _process.BeginErrorReadLine();
        string line = ReadLine(startTimeout, CancellationToken.None, "start");
        Hello = JsonSerializer.Deserialize<WorkerHello>(line, BenchJson.Line) ?? throw Failure("sent an empty greeting");
    }

    /// <summary>Starts the worker for <paramref name="contender"/> and waits for its greeting.</summary>
    public static WorkerProcess Start(Contender contender, TimeSpan startTimeout)
    {
        var (fileName, prefix) = SelfCommand();
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string arg in prefix) psi.ArgumentList.Add(arg);
        psi.ArgumentList.Add(WorkerCommand.Name);
        psi.ArgumentList.Add("--lock");
        psi.ArgumentList.Add(contender.Name);
        if (contender.Mode is { } mode) psi.Environment[QSpinOps.EnvironmentVariable] = ModeValue(mode);
        else psi.Environment.Remove(QSpinOps.EnvironmentVariable);
        if (contender.Stats) psi.Environment["QSPIN_STATS"] = "1";
        else psi.Environment.Remove("QSPIN_STATS");
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start a worker for {contender.Name}");
        try
        {
            return new WorkerProcess(contender, process, startTimeout);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs one measurement. Throws <see cref="OperationCanceledException"/> (the worker is killed) when cancelled, <see cref="WorkerFailedException"/> on a failure or time-out.</summary>
    public Sample Run(WorkloadSpec spec, TimeSpan timeout, CancellationToken cancel) =>
        Ask(new WorkerRequest(spec), timeout, cancel, $"{spec.Threads} threads").Sample ?? throw Failure("sent no sample");

    /// <summary>Measures the cache-line floor in this worker: the one-way transfer time of each measurement, in nanoseconds. Throws as <see cref="Run"/>.</summary>
    public double[] MeasureFloor(FloorRequest floor, TimeSpan timeout, CancellationToken cancel) =>
        Ask(new WorkerRequest(null, floor), timeout, cancel, "cache-line floor").FloorNs ?? throw Failure("sent no floor");

    /// <summary>Sends one request and reads its reply; a reply with an error throws <see cref="WorkerFailedException"/>.</summary>
    private WorkerReply Ask(WorkerRequest request, TimeSpan timeout, CancellationToken cancel, string what)
    {
        try
        {
            _process.StandardInput.WriteLine(JsonSerializer.Serialize(request, BenchJson.Line));
            _process.StandardInput.Flush();
        }
        catch (IOException e)
        {
            throw Failure("is gone: " + e.Message);
        }
        string line = ReadLine(timeout, cancel, what);
        var reply = JsonSerializer.Deserialize<WorkerReply>(line, BenchJson.Line) ?? throw Failure("sent an empty reply");
        return reply.Error is { } error ? throw Failure(error) : reply;
    }

    /// <summary>Reads one line; on cancellation or time-out the worker is killed, which ends the read.</summary>
    private string ReadLine(TimeSpan timeout, CancellationToken cancel, string what)
    {
        using var timer = new CancellationTokenSource(timeout);
        using var onTimeout = timer.Token.Register(() => Kill(_process));
        using var onCancel = cancel.Register(() => Kill(_process));
        string? line = _process.StandardOutput.ReadLine();
        cancel.ThrowIfCancellationRequested();
        if (timer.IsCancellationRequested) throw Failure($"did not answer ({what}) within {timeout.TotalSeconds:0} s and was killed");
        return line ?? throw Failure($"exited ({what})");
    }

    private WorkerFailedException Failure(string what)
    {
        string stderr;
        if (_process.HasExited) _process.WaitForExit(); // drains the standard error reader
        lock (_stderr) stderr = _stderr.ToString().Trim();
        string exit = _process.HasExited ? $" (exit code {_process.ExitCode})" : "";
        return new WorkerFailedException($"worker for {Contender.Name} {what}{exit}" + (stderr.Length > 0 ? ": " + stderr.ReplaceLineEndings(" | ") : ""));
    }

    /// <summary>Closes the worker's input so it exits; kills it if it does not within a few seconds.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // already gone
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) Kill(_process);
        _process.Dispose();
    }

    private static void Kill(Process p)
    {
        try
        {
            p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    /// <summary>The QSPIN_MODE value for a mode.</summary>
    public static string ModeValue(QSpinMode mode) => mode switch
    {
        QSpinMode.Native => "native",
        QSpinMode.Paravirt => "paravirt",
        _ => "tas",
    };

    /// <summary>
    /// How to start this program again: its own apphost when that is what runs, otherwise the dotnet
    /// host with the path of QSpin.Cli.dll (under <c>dotnet run</c>, <c>dotnet QSpin.Cli.dll</c> or a test host).
    /// </summary>
    public static (string FileName, string[] Prefix) SelfCommand()
    {
        string cliDll = typeof(WorkerProcess).Assembly.Location;
        string? self = Environment.ProcessPath;
        bool runningCli = System.Reflection.Assembly.GetEntryAssembly() == typeof(WorkerProcess).Assembly;
        if (runningCli && self is not null && !IsDotnetHost(self)) return (self, []);
        string host = self is not null && IsDotnetHost(self) ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h
            : "dotnet";
        return (host, [cliDll]);
    }

    private static bool IsDotnetHost(string path) =>
        Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A worker process failed, exited or timed out.</summary>
internal sealed class WorkerFailedException(string message) : Exception(message);
