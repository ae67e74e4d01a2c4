using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace QSpin.Tests;

/// <summary>
/// The "call patching" proof: a child process drives small callers of Enter/Exit/TryEnter to Tier-1
/// with the JIT's disassembly on, and the listing must show only the selected mode's code, inlined.
/// x64 only (the listing is x64 assembly); elsewhere the tests return without asserting.
/// </summary>
public class DisassemblyTests
{
    private static readonly Dictionary<string, Dictionary<string, string>> s_cache = new();

    /// <summary>Tier-1 listings of CallExit/CallEnter/CallTryEnter in a child running <paramref name="mode"/>.</summary>
    internal static Dictionary<string, string> Tier1Listings(string mode, IDictionary<string, string?>? extraEnv = null)
    {
        string key = mode + string.Join(";", extraEnv?.Select(kv => kv.Key + "=" + kv.Value) ?? []);
        lock (s_cache)
        {
            if (s_cache.TryGetValue(key, out var cached)) return cached;
        }
        string file = Path.Combine(Path.GetTempPath(), $"qspin-jit-{Guid.NewGuid():N}.txt");
        var env = new Dictionary<string, string?>
        {
            ["QSPIN_MODE"] = mode,
            ["DOTNET_JitDisasm"] = "CallExit CallEnter CallTryEnter",
            ["DOTNET_JitStdOutFile"] = file,
            ["DOTNET_TieredCompilation"] = "1",
            ["DOTNET_ReadyToRun"] = "1",
        };
        if (extraEnv is not null) foreach (var (k, v) in extraEnv) env[k] = v;
        var r = ChildProcess.Run("QSpin.TestHost", ["disasm"], env);
        Assert.True(r.ExitCode == 0, r.Output);
        string text = File.ReadAllText(file);
        File.Delete(file);

        var result = new Dictionary<string, string>();
        foreach (string block in text.Split("; Assembly listing for method ").Skip(1))
        {
            var m = Regex.Match(block, @"^QSpin\.TestHost\.Program:(\w+)\(.*?\((Tier1)\)");
            if (m.Success) result[m.Groups[1].Value] = block;
        }
        foreach (string method in new[] { "CallExit", "CallEnter", "CallTryEnter" })
            Assert.True(result.ContainsKey(method), $"no Tier-1 listing of {method} in:\n{text}");
        lock (s_cache) s_cache[key] = result;
        return result;
    }

    /// <summary>The instruction lines of a listing (labels, comments and directives dropped).</summary>
    internal static List<string> Instructions(string listing) =>
        listing.Split('\n')
            .Skip(1) // the method name line left by the split on "; Assembly listing for method "
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith(';') && !l.StartsWith("G_M") && !l.StartsWith("align"))
            .Select(l => Regex.Replace(l, @"\s+", " "))
            .ToList();

    private static bool IsX64 => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [Fact]
    public void NativeExitIsOneByteStoreInlined()
    {
        if (!IsX64) return;
        var code = Instructions(Tier1Listings("native")["CallExit"]);
        Assert.Equal(["mov byte ptr [rdi+0x08], 0", "ret"], code);
    }

    [Fact]
    public void ParavirtExitIsAByteCasWithTheSlowPathOutOfLine()
    {
        if (!IsX64) return;
        var code = Instructions(Tier1Listings("paravirt")["CallExit"]);
        string all = string.Join("\n", code);
        Assert.Contains("cmpxchg byte ptr", all);
        Assert.Single(code, l => l.StartsWith("call"));
        Assert.Contains(code, l => l.StartsWith("call") && Regex.IsMatch(l, @"ParavirtSlowPath`1\[QSpin\.NextWordHead\]:Unlock\("));
        Assert.DoesNotContain(code, l => l.Contains("mov byte ptr [rdi+0x08], 0"));
    }

    [Fact]
    public void TestAndSetExitIsOneWholeWordStore()
    {
        if (!IsX64) return;
        var code = Instructions(Tier1Listings("tas")["CallExit"]);
        Assert.DoesNotContain(code, l => l.StartsWith("call") || l.StartsWith("lock") || l.StartsWith("j"));
        Assert.Contains(code, l => l.StartsWith("mov dword ptr [rdi+0x08]"));
    }

    [Theory]
    [InlineData("native")]
    [InlineData("paravirt")]
    [InlineData("tas")]
    public void EnterIsOneCasWithTheContendedPathOutOfLine(string mode)
    {
        if (!IsX64) return;
        var code = Instructions(Tier1Listings(mode)["CallEnter"]);
        Assert.Single(code, l => l.StartsWith("cmpxchg"));
        // Paravirt CASes locked+pending only (the hybrid unfair trylock); the others the whole word.
        Assert.Contains(code, l => l.StartsWith(mode == "paravirt" ? "cmpxchg word ptr" : "cmpxchg dword ptr"));
        var calls = code.Where(l => l.StartsWith("call")).ToList();
        Assert.Single(calls);
        Assert.Contains("QSpinLock:EnterContended", calls[0]);
    }

    [Theory]
    [InlineData("native")]
    [InlineData("paravirt")]
    public void TryEnterNeverCallsOut(string mode)
    {
        if (!IsX64) return;
        var code = Instructions(Tier1Listings(mode)["CallTryEnter"]);
        Assert.DoesNotContain(code, l => l.StartsWith("call"));
        Assert.Single(code, l => l.StartsWith("cmpxchg"));
    }

    /// <summary>
    /// Native Enter at Tier-1 with every optional feature off: the one CAS and the out-of-line call,
    /// nothing else. Pinned to the .NET 10 JIT; a JIT update may legitimately change registers or
    /// layout (then re-read the listing: the rule is one locked CAS, no other memory write, one call).
    /// </summary>
    private static readonly string[] NativeEnterTier1 =
    [
        "push rax",
        "lea rsi, bword ptr [rdi+0x08]",
        "mov ecx, 1",
        "xor eax, eax",
        "lock",
        "cmpxchg dword ptr [rsi], ecx",
        "test eax, eax",
        "jne SHORT G_M000_IG04",
        "add rsp, 8",
        "ret",
        "mov esi, eax",
        "call [QSpin.QSpinLock:EnterContended(int):this]",
        "jmp SHORT G_M000_IG03",
    ];

    [Fact]
    public void StatsAndCheckedModeOffLeaveEnterAndExitExactlyAsWithoutThem()
    {
        if (!IsX64) return;
        var listings = Tier1Listings("native");
        Assert.Equal(NativeEnterTier1, Instructions(listings["CallEnter"]));
        Assert.Equal(["mov byte ptr [rdi+0x08], 0", "ret"], Instructions(listings["CallExit"]));
    }

    [Fact]
    public void StatsOnShowsUpInEnterSoTheCheckAboveCanFail()
    {
        if (!IsX64) return;
        var on = Tier1Listings("native", new Dictionary<string, string?> { ["QSPIN_STATS"] = "1" });
        Assert.NotEqual(NativeEnterTier1, Instructions(on["CallEnter"]));
        // Exit counts nothing: identical with stats on.
        Assert.Equal(["mov byte ptr [rdi+0x08], 0", "ret"], Instructions(on["CallExit"]));
    }

    [Fact]
    public void CheckedModeOnShowsUpInEnterAndExitSoTheCheckAboveCanFail()
    {
        if (!IsX64) return;
        var on = Tier1Listings("native", new Dictionary<string, string?> { ["QSPIN_CHECKED"] = "1" });
        Assert.NotEqual(NativeEnterTier1, Instructions(on["CallEnter"]));
        Assert.NotEqual(["mov byte ptr [rdi+0x08], 0", "ret"], Instructions(on["CallExit"]));
    }
}
