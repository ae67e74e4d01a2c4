using System.Diagnostics;

namespace QSpin.Tests;

/// <summary>Runs a child process: a .NET program built next to the tests (QSpin.TestHost, QSpin.Cli), or any other program.</summary>
internal static class ChildProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static string PathOf(string assembly) => Path.Combine(AppContext.BaseDirectory, assembly + ".dll");

    public static Result Run(string assembly, IEnumerable<string> args, IDictionary<string, string?>? env = null,
        TimeSpan? timeout = null, IEnumerable<string>? hostArgs = null) =>
        RunProgram("dotnet", ["exec", .. hostArgs ?? [], PathOf(assembly), .. args], env, timeout);

    /// <summary>Runs any program (found on PATH or by path) and collects its standard output and error; kills it after <paramref name="timeout"/> (default 5 minutes).</summary>
    public static Result RunProgram(string file, IEnumerable<string> args, IDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true, // an empty standard input, never the test runner's
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        // The child must not inherit a mode or JIT settings from whoever runs the tests.
        psi.Environment.Remove("QSPIN_MODE");
        foreach (string k in psi.Environment.Keys.Where(k => k.StartsWith("DOTNET_Jit", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(k);
        if (env is not null)
            foreach (var (k, v) in env)
                psi.Environment[k] = v;

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The path of <paramref name="tool"/> in one of the PATH folders, or null.</summary>
    public static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    /// <summary>The first of <paramref name="candidates"/> (absolute paths or names looked up on PATH) that exists, or null.</summary>
    public static string? Find(params string[] candidates) =>
        candidates.Select(c => Path.IsPathRooted(c) ? (File.Exists(c) ? c : null) : Which(c)).FirstOrDefault(c => c is not null);
}
