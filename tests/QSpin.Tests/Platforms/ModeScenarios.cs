using System.Globalization;
using System.Text.Json;

namespace QSpin.Tests.Platforms;

/// <summary>
/// The per-mode checks that matter on a foreign platform, as TestHost and <c>qspin</c> command lines,
/// and what their output must say. Several TestHost scenarios share one process (startup under an
/// emulator costs seconds): "platform", "stress", "timed" and (queued modes) "fifo" in one, the lock
/// events with QSPIN_STATS=1 in another, and a short torture of its own.
/// </summary>
internal static class ModeScenarios
{
    public static readonly string[] Modes = ["native", "paravirt", "tas"];

    /// <summary>Threads and iterations of the exclusion stress: native waiters spin in FIFO order without parking, so oversubscription costs it a time slice per hand-off.</summary>
    private static (int Threads, int Iterations) Stress(string mode) => mode == "native" ? (4, 2_000) : (12, 5_000);

    /// <summary>Threads and iterations of the QSpinLockArray exclusion stress (its long holds make paravirt heads park).</summary>
    private static readonly (int Threads, int Iterations) ArrayStress = (4, 600);

    /// <summary>The TestHost arguments of the main run: "platform + stress T N + array-stress T N + timed [+ fifo 8]".</summary>
    public static List<string> MainRun(string mode, bool disassembly)
    {
        var (threads, iterations) = Stress(mode);
        List<string> args = disassembly ? ["disasm", "+"] : [];
        args.AddRange(["platform", "+", "stress", threads.ToString(CultureInfo.InvariantCulture), iterations.ToString(CultureInfo.InvariantCulture),
            "+", "array-stress", ArrayStress.Threads.ToString(CultureInfo.InvariantCulture), ArrayStress.Iterations.ToString(CultureInfo.InvariantCulture), "+", "timed"]);
        if (mode != "tas") args.AddRange(["+", "fifo", "8"]);
        return args;
    }

    /// <summary>The lock-event scenarios of a mode (run with QSPIN_STATS=1).</summary>
    public static List<string> EventsRun(string mode) =>
        mode == "paravirt" ? ["events", "oversubscribed", "+", "events", "three-contenders"] : ["events", "three-contenders"];

    /// <summary>A short torture: oversubscribed (8 writers), thread churn with few slots, affinity shuffles, one nested lock.</summary>
    public static List<string> TortureRun(int seconds) =>
        ["torture", "--duration", seconds.ToString(CultureInfo.InvariantCulture), "--writers", "8", "--churn", "1", "--slots", "12",
         "--shuffle", "1", "--nested", "1", "--acq-limit", "30", "--stat-interval", "0"];

    public static Dictionary<string, string?> Env(string mode, bool stats = false) =>
        new() { ["QSPIN_MODE"] = mode, ["QSPIN_STATS"] = stats ? "1" : null };

    public static string ModeName(string mode) => mode switch { "native" => "Native", "paravirt" => "Paravirt", _ => "TestAndSet" };

    /// <summary>The one output line that starts with <paramref name="prefix"/>; fails with the whole output when there is none.</summary>
    public static string Line(ChildProcess.Result r, string prefix)
    {
        var lines = r.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, $"expected one line starting with '{prefix}', found {lines.Count}:\n{r.Output}");
        return lines[0];
    }

    public static void AssertExclusion(ChildProcess.Result r, string mode)
    {
        var (threads, iterations) = Stress(mode);
        string line = Line(r, $"mode={ModeName(mode)} counter=");
        Assert.True(line.Contains($"counter={threads * iterations} expected={threads * iterations} ", StringComparison.Ordinal) && line.EndsWith(" violations=0", StringComparison.Ordinal), r.Output);
        // The array run: every acquisition counted once per index, no stale pv-hash record, nothing left held.
        string array = Line(r, $"array mode={ModeName(mode)} counter=");
        var m = System.Text.RegularExpressions.Regex.Match(array, @"counter=(\d+) expected=(\d+) clean=True records=0 violations=0$");
        Assert.True(m.Success && m.Groups[1].Value == m.Groups[2].Value, r.Output);
    }

    public static void AssertFifo(ChildProcess.Result r, string mode) =>
        Assert.True(Line(r, $"mode={ModeName(mode)} order=") == $"mode={ModeName(mode)} order=0,1,2,3,4,5,6,7", r.Output);

    public static void AssertTimed(ChildProcess.Result r, string mode)
    {
        string line = Line(r, "timed mode=");
        Assert.True(line.StartsWith($"timed mode={ModeName(mode)} ", StringComparison.Ordinal) && !line.Contains("FAILED", StringComparison.Ordinal)
            && line.Contains("cancel-during=ok", StringComparison.Ordinal) && line.Contains("mass-timeouts-exact=ok", StringComparison.Ordinal)
            && (mode == "tas" || line.Contains("abandoned-keeps-order=ok", StringComparison.Ordinal)), r.Output);
    }

    /// <summary>The platform facts and checks; <paramref name="futex"/> is the expected futex syscall number ("none" off Linux), <paramref name="wait"/> a part of the wait primitive's name.</summary>
    public static void AssertPlatform(ChildProcess.Result r, string os, string arch, string futex, string wait)
    {
        Assert.True(Line(r, "platform os=") == $"platform os={os} arch={arch} littleEndian=True futex={futex} config-error=none", r.Output);
        Assert.True(Line(r, "wait=").Contains(wait, StringComparison.Ordinal), r.Output);
        string checks = Line(r, "platform-checks ");
        Assert.True(!checks.Contains("FAILED", StringComparison.Ordinal) && checks.Contains("wait-sleeps-until-woken=ok", StringComparison.Ordinal), r.Output);
    }

    /// <summary>
    /// The lock events of each mode: queued modes count their pending and queued waiters; paravirt
    /// waiters park (head and behind it) and unlocks kick them awake; test-and-set counts its spins.
    /// </summary>
    public static void AssertEvents(ChildProcess.Result r, string mode)
    {
        var all = r.Output.Split('\n').Where(l => l.StartsWith("events=", StringComparison.Ordinal))
            .Select(l => JsonSerializer.Deserialize<Dictionary<string, double>>(l["events=".Length..])!).ToList();
        Assert.True(all.Count == (mode == "paravirt" ? 2 : 1), r.Output);
        var e = all[^1]; // three-contenders
        string show = r.Output;
        switch (mode)
        {
            case "native":
                Assert.True(e["lock_pending"] == 1 && e["lock_slowpath"] == 2 && e["pv_wait_head"] == 0, show);
                break;
            case "paravirt":
                Assert.True(e["pv_wait_head"] >= 1 && e["pv_wait_node"] >= 1 && e["pv_kick_unlock"] >= 1, show);
                var o = all[0]; // oversubscribed
                Assert.True(o["pv_wait_head"] > 0 && o["pv_wait_node"] > 0 && o["pv_kick_unlock"] > 0 && o["pv_kick_wake"] > 0 && o["lock_pending"] == 0, show);
                break;
            default:
                Assert.True(e["tas_spin"] > 0 && e["lock_slowpath"] == 0, show);
                break;
        }
    }

    public static void AssertTorture(ChildProcess.Result r, string mode)
    {
        var lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(r.ExitCode == 0 && lines[^1] == "End of test: SUCCESS", r.Output);
        Assert.Contains($"mode={ModeName(mode)} (environment variable QSPIN_MODE={mode}", r.Output, StringComparison.Ordinal);
        Assert.Matches(@"threads replaced [1-9]", r.Output);
        if (Environment.ProcessorCount > 1) Assert.Matches(@"shuffles [1-9]\d* \(applied [1-9]\d*, refused 0\)", r.Output); // the platform's affinity call works
    }
}
