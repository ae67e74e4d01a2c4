using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace QSpin.Tests.Platforms;

/// <summary>
/// A platform this machine runs only through an emulator (Windows x64 under Wine, Linux arm64 under
/// qemu). As a class fixture it publishes the TestHost and the CLI self-contained for that runtime
/// identifier once, into a temporary folder deleted afterwards, and runs them through the emulator.
/// Where the emulator or its libraries are missing, tests are reported as skipped with the reason
/// (<c>.ci/install-emulators</c> installs them; <c>.ci/run</c> calls it, and in CI they fail instead).
/// </summary>
public abstract class EmulatedTarget : IDisposable
{
    private readonly Lazy<string?> _missing;
    private readonly Lazy<(string TestHost, string Cli)> _published;
    private readonly ConcurrentDictionary<string, Lazy<ChildProcess.Result>> _runs = new();

    protected EmulatedTarget(string rid)
    {
        Rid = rid;
        Root = Path.Combine(Path.GetTempPath(), $"qspin-{rid}-{Guid.NewGuid():N}");
        _missing = new(Missing);
        _published = new(() => (
            Publisher.Publish(Path.Combine("tests", "QSpin.TestHost"), Rid, Root, "--self-contained"),
            Publisher.Publish(Path.Combine("src", "QSpin.Cli"), Rid, Root, "--self-contained")));
    }

    /// <summary>The runtime identifier the programs are published for.</summary>
    public string Rid { get; }

    /// <summary>The temporary folder holding the published programs and the emulator's files.</summary>
    protected string Root { get; }

    /// <summary>"Windows x64 under Wine", for messages.</summary>
    protected abstract string Description { get; }

    /// <summary>What is missing to run programs here (null: nothing).</summary>
    protected abstract string? Missing();

    /// <summary>The command line that runs <paramref name="program"/> under the emulator, with <paramref name="cpu"/> (if it has CPU models).</summary>
    protected abstract (string File, List<string> Args) Command(string program, string? cpu);

    /// <summary>The environment the emulator needs.</summary>
    protected abstract Dictionary<string, string?> EmulatorEnvironment();

    /// <summary>The executable of a published program (<c>.exe</c> on Windows).</summary>
    protected abstract string Executable(string folder, string name);

    /// <summary>
    /// Skips the calling test, with the reason, where this machine cannot run the platform; fails it
    /// instead in CI (<c>CI=true</c>) on Linux x64, where .ci/run installs the emulators, so that CI
    /// never passes without these checks.
    /// </summary>
    public void SkipIfUnavailable()
    {
        if (_missing.Value is not { } why) return;
        string message = $"{Description} is not available here: {why} (.ci/install-emulators installs it)";
        bool ciInstallsIt = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            && OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        if (ciInstallsIt) Assert.Fail(message);
        Skip.If(true, message);
    }

    /// <summary>Runs the TestHost with <paramref name="args"/>, once per <paramref name="key"/> (later calls get the same result).</summary>
    internal ChildProcess.Result TestHost(string key, string? cpu, IDictionary<string, string?> env, IEnumerable<string> args) =>
        Once("testhost " + key, () => Run(Executable(_published.Value.TestHost, "QSpin.TestHost"), cpu, env, args));

    /// <summary>Runs <c>qspin</c> with <paramref name="args"/>, once per <paramref name="key"/>.</summary>
    internal ChildProcess.Result Cli(string key, string? cpu, IDictionary<string, string?> env, IEnumerable<string> args) =>
        Once("cli " + key, () => Run(Executable(_published.Value.Cli, "QSpin.Cli"), cpu, env, args));

    /// <summary>A file under the temporary folder, for a child to write (a JIT listing).</summary>
    public string TempFile(string name) => Path.Combine(Root, name);

    private ChildProcess.Result Once(string key, Func<ChildProcess.Result> run)
    {
        SkipIfUnavailable();
        return _runs.GetOrAdd(key, _ => new Lazy<ChildProcess.Result>(run)).Value;
    }

    private ChildProcess.Result Run(string program, string? cpu, IDictionary<string, string?> env, IEnumerable<string> args)
    {
        var (file, prefix) = Command(program, cpu);
        var all = EmulatorEnvironment();
        foreach (var (k, v) in env) all[k] = v;
        var r = ChildProcess.RunProgram(file, [.. prefix, .. args], all, TimeSpan.FromMinutes(8));
        return r with { Output = $"[{Description}{(cpu is null ? "" : $", -cpu {cpu}")}: {Path.GetFileName(program)} {string.Join(' ', args)}; exit code {r.ExitCode}]\n{r.Output}" };
    }

    /// <summary>Stops what the emulator left running for this fixture, then deletes the temporary folder.</summary>
    protected virtual void StopEmulator()
    {
    }

    public void Dispose()
    {
        if (_missing.IsValueCreated && _missing.Value is null) StopEmulator();
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a process that is ending: the folder is in the temporary directory.
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>Windows x64 under Wine (Debian's wine64): QSpin's Windows code paths and the runtime's Windows behaviour, not the Windows scheduler.</summary>
public sealed class WineTarget() : EmulatedTarget("win-x64")
{
    private static readonly string? s_wine = ChildProcess.Find("/usr/lib/wine/wine64", "wine64", "wine");
    private static readonly string? s_wineserver = ChildProcess.Find("/usr/lib/wine/wineserver", "wineserver");

    protected override string Description => "Windows x64 under Wine";

    protected override string? Missing() =>
        !OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64 ? "Wine runs win-x64 programs on Linux x64 only"
        : s_wine is null ? "no wine64 (apt-get install wine64)"
        : null;

    protected override (string File, List<string> Args) Command(string program, string? cpu) => (s_wine!, [program]);

    protected override Dictionary<string, string?> EmulatorEnvironment() => new()
    {
        ["WINEPREFIX"] = Path.Combine(Root, "wineprefix"), // a Wine "C: drive" of this fixture's own, deleted with it
        ["WINEDEBUG"] = "-all",
        // winedbg off: an unhandled exception then ends the process with a failing exit code (with
        // winedbg, measured here, a crashed .NET process exited with 0). No desktop menu entries.
        // (Wine's mscoree must stay: Wine loads IL-only images such as System.Runtime.dll through it.)
        ["WINEDLLOVERRIDES"] = "winedbg.exe=d;winemenubuilder.exe=d",
    };

    protected override string Executable(string folder, string name) => Path.Combine(folder, name + ".exe");

    protected override void StopEmulator()
    {
        // The prefix's wineserver lingers a few seconds after its last process: end it now.
        if (s_wineserver is not null) ChildProcess.RunProgram(s_wineserver, ["-k"], EmulatorEnvironment(), TimeSpan.FromMinutes(1));
    }
}

/// <summary>
/// Linux arm64 under qemu user mode (qemu-user-static and Debian's arm64 libc): arm64 code as the JIT
/// emits it, for ARMv8.0 and LSE CPUs. qemu runs it on this x64 host's memory model (TSO), so weak
/// memory reorderings do not show here.
/// </summary>
public sealed class QemuTarget() : EmulatedTarget("linux-arm64")
{
    /// <summary>ARMv8.0 (exclusive pairs and dmb) and the newest model qemu has (LSE atomics).</summary>
    public static readonly string[] CpuModels = ["cortex-a57", "max"];

    private static readonly string? s_qemu = ChildProcess.Find("qemu-aarch64-static", "/usr/bin/qemu-aarch64-static");

    private static readonly string[] Libraries = ["/lib/ld-linux-aarch64.so.1", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libgcc_s.so.1"];

    protected override string Description => "Linux arm64 under qemu";

    protected override string? Missing() =>
        !OperatingSystem.IsLinux() ? "qemu user mode runs Linux programs on Linux only"
        : s_qemu is null ? "no qemu-aarch64-static (apt-get install qemu-user-static)"
        : Libraries.FirstOrDefault(l => !File.Exists(l)) is { } lib ? $"no {lib} (dpkg --add-architecture arm64; apt-get install libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64)"
        : null;

    // -L /: the arm64 loader and libraries come from Debian's multiarch folders of this machine.
    protected override (string File, List<string> Args) Command(string program, string? cpu) => (s_qemu!, ["-L", "/", "-cpu", cpu ?? "max", program]);

    // W^X off, as in the qemu setup verified for issue 11: the runtime then maps its JIT code once, not twice.
    protected override Dictionary<string, string?> EmulatorEnvironment() => new() { ["DOTNET_EnableWriteXorExecute"] = "0" };

    protected override string Executable(string folder, string name) => Path.Combine(folder, name);
}
