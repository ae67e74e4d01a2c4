using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace QSpin.Tests;

/// <summary>
/// NativeAOT has no tiered JIT to fold the mode: QSpin's feature switches do it at build time. The
/// probe (tests/QSpin.AotProbe) pins native mode and turns stats, checked mode and test hooks off with
/// <c>Trim="true"</c>. This publishes it with NativeAOT, runs it with environment variables that ask
/// for the opposite, and reads its machine code with objdump. Linux x64 only (the listing is x64),
/// and only where NativeAOT can link (a C compiler) and objdump exists; reported as skipped elsewhere, with the reason.
/// </summary>
public class NativeAotTests(NativeAotTests.Probe probe) : IClassFixture<NativeAotTests.Probe>
{
    /// <summary>The probe, published once for the tests of this class into a temporary folder that is deleted afterwards.</summary>
    public sealed class Probe : IDisposable
    {
        private readonly Lazy<(string? Binary, string Why)> _published;
        private readonly string _output = Path.Combine(Path.GetTempPath(), "qspin-aot-probe-" + Guid.NewGuid().ToString("N"));

        public Probe() => _published = new(() => Publish(_output));

        /// <summary>The published binary, or null and why not.</summary>
        public (string? Binary, string Why) Value => _published.Value;

        public void Dispose()
        {
            if (Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
        }
    }

    private static (string? Binary, string Why) Publish(string output)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return (null, "not Linux x64");
        if (ChildProcess.Which("objdump") is null) return (null, "no objdump on PATH");
        if (ChildProcess.Which("clang") is null && ChildProcess.Which("gcc") is null) return (null, "no C compiler (clang or gcc) for the NativeAOT link");

        string binary = Path.Combine(Publisher.Publish(Path.Combine("tests", "QSpin.AotProbe"), "linux-x64", output), "QSpin.AotProbe");
        Assert.True(File.Exists(binary), $"the NativeAOT publish wrote no {binary}");
        return (binary, "");
    }

    private static string Run(string file, IEnumerable<string> args, IDictionary<string, string?>? env = null)
    {
        var r = ChildProcess.RunProgram(file, args, env, TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, $"{file} exited with {r.ExitCode}:\n{r.Output}");
        return r.Output;
    }

    /// <summary>The instructions of one function of the binary, as objdump prints them (Intel syntax), without addresses or padding.</summary>
    private static List<string> Disassemble(string binary, string symbol)
    {
        string listing = Run("objdump", ["-d", "--no-show-raw-insn", "-M", "intel", "--disassemble=" + symbol, binary]);
        var m = Regex.Match(listing, @"^[0-9a-f]+ <" + Regex.Escape(symbol) + @">:\n((?:\s+[0-9a-f]+:\t.*\n)+)", RegexOptions.Multiline);
        Assert.True(m.Success, $"no function {symbol} in the probe's symbols");
        return [.. m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => Regex.Replace(l.Split('\t', 2)[1].Trim(), @"\s+", " "))
            .Where(i => i is not "nop" && !i.StartsWith("int3", StringComparison.Ordinal) && !i.StartsWith("nop ", StringComparison.Ordinal))];
    }

    /// <summary>The published probe; skips the test, saying why, where it cannot be built here.</summary>
    private string Binary()
    {
        var (binary, why) = probe.Value;
        Skip.If(binary is null, $"NativeAOT probe not built: {why}");
        return binary!;
    }

    [SkippableFact]
    public void PinnedModeAndSwitchesHoldWhateverTheEnvironmentSays()
    {
        string binary = Binary();
        string output = Run(binary, [], new Dictionary<string, string?> { ["QSPIN_MODE"] = "paravirt", ["QSPIN_STATS"] = "1", ["QSPIN_CHECKED"] = "1" });
        Assert.Contains("mode=Native", output);
        Assert.Contains("stats=False", output);
        Assert.Contains("checked=False", output);
        Assert.Contains("reason=feature switch QSpin.Mode.Native=true, fixed when the program was built (QSPIN_MODE=paravirt is ignored)", output);
        Assert.Contains("free=True", output);
    }

    [SkippableFact]
    public void PinnedNativeExitIsOneByteStore()
    {
        string binary = Binary();
        // As under the Tier-1 JIT: Exit inlined into its caller, one store of 0 into the locked byte
        // (the word follows the object's method table pointer: [rdi+8]); no mode, stats or checked-mode
        // test, no class-initialisation check, no branch, no call.
        Assert.Equal(["mov BYTE PTR [rdi+0x8],0x0", "ret"], Disassemble(binary, "QSpin_AotProbe_ProbeMethods__Exit"));
    }

    [SkippableFact]
    public void PinnedNativeEnterIsOneCasAndAnOutOfLineSlowPath()
    {
        string binary = Binary();
        // Measured: push rax; lea rsi,[rdi+0x8]; mov ecx,1; xor eax,eax; lock cmpxchg [rsi],ecx;
        // test eax,eax; je done; mov esi,eax; call QSpinLock.EnterContended; done: add rsp,8; ret.
        List<string> code = Disassemble(binary, "QSpin_AotProbe_ProbeMethods__Enter");
        string listing = string.Join('\n', code);
        Assert.Single(code, i => i.StartsWith("lock cmpxchg DWORD PTR", StringComparison.Ordinal)); // the whole-word CAS of native mode
        Assert.DoesNotContain(code, i => i.Contains("cmpxchg WORD", StringComparison.Ordinal)); // not paravirt's 16-bit CAS
        Assert.DoesNotContain(code, i => i.Contains("STATICS", StringComparison.Ordinal)); // no switch read, no class-initialisation check
        var calls = code.Where(i => i.StartsWith("call", StringComparison.Ordinal) || i.StartsWith("jmp", StringComparison.Ordinal)).ToList();
        Assert.True(calls.Count == 1 && calls[0].EndsWith("QSpinLock__EnterContended>", StringComparison.Ordinal),
            "Enter: expected only the out-of-line call of the contended path:\n" + listing);
        Assert.True(code.Count(i => i.StartsWith('j')) == 1, "Enter: expected one branch (CAS failed?):\n" + listing);
    }
}
