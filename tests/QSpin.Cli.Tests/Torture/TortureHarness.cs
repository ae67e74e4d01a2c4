using System.CommandLine;
using System.Diagnostics;
using System.Text;
using QSpin.Cli;

namespace QSpin.Cli.Tests.Torture;

/// <summary>Runs <c>qspin</c> command lines in this process or in a child process, and reads their output.</summary>
public static class TortureHarness
{
    /// <summary>The result of one command line: exit code, standard output, standard error.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public override string ToString() => $"exit code {ExitCode}\n--- stdout:\n{Output}\n--- stderr:\n{Error}";
    }

    /// <summary>Runs <c>qspin args</c> in this process (so in this process's QSpin mode).</summary>
    public static Result InProcess(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, new InvocationConfiguration { Output = output, Error = error });
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>The CLI assembly, copied next to the test assembly because the test project references QSpin.Cli.</summary>
    public static string CliDll
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "QSpin.Cli.dll");
            Assert.True(File.Exists(path), $"QSpin.Cli.dll not found next to the tests: {path}");
            return path;
        }
    }

    /// <summary>The dotnet host running these tests (falls back to 'dotnet' on the PATH).</summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
            if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
            return "dotnet";
        }
    }

    /// <summary>
    /// Runs <c>dotnet QSpin.Cli.dll args</c> with <c>QSPIN_MODE=mode</c> (the mode is chosen once per
    /// process, so each mode needs its own process). Kills the child and fails after <paramref name="timeout"/>.
    /// </summary>
    public static Result Child(string mode, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(CliDll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["QSPIN_MODE"] = mode;

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.Fail($"qspin {string.Join(' ', args)} (QSPIN_MODE={mode}) did not end within {timeout}; the watchdog should have ended it.\n{stdout}\n{stderr}");
        }
        p.WaitForExit(); // drains the asynchronous readers
        lock (stdout) lock (stderr) return new Result(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Seconds per QSpin mode for the child-process torture: <c>QSPIN_TORTURE_SECONDS</c> if set,
    /// else 60 in CI (<c>CI=true</c>, the budget), else 5 so that a local <c>dotnet test</c> stays quick.
    /// </summary>
    public static int TortureSeconds
    {
        get
        {
            if (int.TryParse(Environment.GetEnvironmentVariable("QSPIN_TORTURE_SECONDS"), out int s) && s > 0) return s;
            return string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ? 60 : 5;
        }
    }
}
