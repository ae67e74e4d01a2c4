using System.Text.RegularExpressions;
using System.Runtime.InteropServices;

namespace QSpin.Tests;

/// <summary>
/// The "call patching" proof: a child process drives small callers of Enter/Exit/TryEnter to Tier-1
/// with the JIT's disassembly on, and the listing must show only the selected mode's code, inlined.
/// On x64 the listings are checked instruction by instruction; on arm64 their shape
/// (<see cref="Arm64Shapes"/>, which Platforms/Arm64UnderQemuTests also checks under qemu on an x64
/// machine, for ARMv8.0 and LSE). Elsewhere the tests are skipped, saying so.
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
        var env = JitListings.Environment(file);
        env["QSPIN_MODE"] = mode;
        if (extraEnv is not null) foreach (var (k, v) in extraEnv) env[k] = v;
        var r = ChildProcess.Run("QSpin.TestHost", ["disasm"], env);
        Assert.True(r.ExitCode == 0, r.Output);
        string text = File.ReadAllText(file);
        File.Delete(file);
        var result = JitListings.Tier1(text);
        lock (s_cache) s_cache[key] = result;
        return result;
    }

    private static List<string> Instructions(string listing) => JitListings.Instructions(listing);

    private static bool IsX64 => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    private static bool IsArm64 => RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary>Skips a test whose listing is only known for the listed architectures.</summary>
    private static void SkipUnless(bool supported, string why) =>
        Skip.IfNot(supported, $"{why}; this process runs on {RuntimeInformation.ProcessArchitecture}");

    [SkippableFact]
    public void NativeExitIsOneByteStoreInlined()
    {
        SkipUnless(IsX64 || IsArm64, "native Exit's listing is checked on x64 and arm64 only");
        var code = Instructions(Tier1Listings("native")["CallExit"]);
        if (IsArm64) Arm64Shapes.NativeExit(code);
        else Assert.Equal(["mov byte ptr [rdi+0x08], 0", "ret"], code);
    }

    [SkippableFact]
    public void ParavirtExitIsAByteStoreAndALoadOfParkedWithTheSlowPathsOutOfLine()
    {
        SkipUnless(IsX64 || IsArm64, "paravirt Exit's listing is checked on x64 and arm64 only");
        var code = Instructions(Tier1Listings("paravirt")["CallExit"]);
        if (IsArm64)
        {
            Arm64Shapes.ParavirtExit(code);
            return;
        }
        AssertParavirtExitShape(code, "NextWordHead", @"\w+\+0x08", @"\w+\+0x09", otherCalls: 0);
    }

    /// <summary>
    /// The paravirt unlock without an atomic: no locked instruction or fence, exactly one write (the
    /// byte store of 0 into the locked byte), a test of the Parked bit (2) in the pending byte after it,
    /// and the kick out of line, after the return.
    /// </summary>
    private static void AssertParavirtExitShape(List<string> code, string heads, string lockedByte, string pendingByte, int otherCalls)
    {
        string all = string.Join("\n", code);
        Assert.DoesNotContain(code, l => l.StartsWith("lock") || l.StartsWith("xchg") || l.StartsWith("cmpxchg") || l.StartsWith("mfence"));
        var writes = code.Where(WritesMemory).ToList();
        Assert.True(writes.Count == 1 && Regex.IsMatch(writes[0], @"^mov byte ptr \[" + lockedByte + @"\], 0$"), "expected one write, a byte store of 0 into the locked byte:\n" + all);
        int store = code.IndexOf(writes[0]);
        Assert.True(code.FindIndex(store, l => Regex.IsMatch(l, @"^test byte ptr \[" + pendingByte + @"\], 2$")) > store, "expected the Parked test after the store:\n" + all);
        var calls = code.Where(l => l.StartsWith("call")).ToList();
        Assert.Equal(1 + otherCalls, calls.Count);
        Assert.Contains(calls, l => Regex.IsMatch(l, @"ParavirtSlowPath`1\[QSpin\." + heads + @"\]:KickParked\("));
        Assert.True(code.FindIndex(l => l.StartsWith("call")) > code.IndexOf("ret"), "the slow paths must be out of line:\n" + all);
    }

    [SkippableFact]
    public void TestAndSetExitIsOneWholeWordStore()
    {
        SkipUnless(IsX64 || IsArm64, "test-and-set Exit's listing is checked on x64 and arm64 only");
        var code = Instructions(Tier1Listings("tas")["CallExit"]);
        if (IsArm64)
        {
            Arm64Shapes.TestAndSetExit(code);
            return;
        }
        Assert.DoesNotContain(code, l => l.StartsWith("call") || l.StartsWith("lock") || l.StartsWith("j"));
        Assert.Contains(code, l => l.StartsWith("mov dword ptr [rdi+0x08]"));
    }

    [SkippableTheory]
    [InlineData("native")]
    [InlineData("paravirt")]
    [InlineData("tas")]
    public void EnterIsOneCasWithTheContendedPathOutOfLine(string mode)
    {
        SkipUnless(IsX64 || IsArm64, "Enter's listing is checked on x64 and arm64 only");
        var code = Instructions(Tier1Listings(mode)["CallEnter"]);
        if (IsArm64)
        {
            Arm64Shapes.Enter(code, mode);
            return;
        }
        Assert.Single(code, l => l.StartsWith("cmpxchg"));
        // Paravirt CASes locked+pending only (the hybrid unfair trylock); the others the whole word.
        Assert.Contains(code, l => l.StartsWith(mode == "paravirt" ? "cmpxchg word ptr" : "cmpxchg dword ptr"));
        var calls = code.Where(l => l.StartsWith("call")).ToList();
        Assert.Single(calls);
        Assert.Contains("QSpinLock:EnterContended", calls[0]);
    }

    [SkippableTheory]
    [InlineData("native")]
    [InlineData("paravirt")]
    public void TryEnterNeverCallsOut(string mode)
    {
        SkipUnless(IsX64 || IsArm64, "TryEnter's listing is checked on x64 and arm64 only");
        var code = Instructions(Tier1Listings(mode)["CallTryEnter"]);
        if (IsArm64)
        {
            Arm64Shapes.TryEnter(code, mode);
            return;
        }
        Assert.DoesNotContain(code, l => l.StartsWith("call"));
        Assert.Single(code, l => l.StartsWith("cmpxchg"));
    }

    /// <summary>An x64 instruction that writes memory other than the stack (push/call write the stack).</summary>
    private static bool WritesMemory(string i) =>
        Regex.IsMatch(i, @"^(mov|movzx|and|or|xor|add|sub|inc|dec|xchg|cmpxchg|xadd) (byte|word|dword|qword) ptr \[(?!rsp|rbp)") || i.StartsWith("lock", StringComparison.Ordinal);

    [SkippableFact]
    public void NativeArrayExitIsTheIndexCheckAndOneByteStore()
    {
        SkipUnless(IsX64, "the array Exit listing is checked instruction by instruction on x64 (arm64: Arm64UnderQemuTests)");
        var code = Instructions(Tier1Listings("native")["CallArrayExit"]);
        var writes = code.Where(WritesMemory).ToList();
        Assert.True(writes.Count == 1 && Regex.IsMatch(writes[0], @"^mov byte ptr \[\w+\], 0$"), "expected one write, a byte store of 0:\n" + string.Join("\n", code));
        Assert.Contains(code, l => l.StartsWith("cmp ") && l.Contains("dword ptr [")); // the bounds check against Length
        var calls = code.Where(l => l.StartsWith("call")).ToList();
        Assert.Single(calls);
        Assert.Contains("QSpinLockArray:ThrowIndexOutOfRange", calls[0]);
        Assert.True(code.FindIndex(l => l.StartsWith("call")) > code.IndexOf("ret"), "the throw must be out of line:\n" + string.Join("\n", code));
    }

    [SkippableFact]
    public void ParavirtArrayExitIsTheIndexCheckAByteStoreAndALoadOfParked()
    {
        SkipUnless(IsX64, "checked on x64 (arm64: Arm64UnderQemuTests)");
        var code = Instructions(Tier1Listings("paravirt")["CallArrayExit"]);
        AssertParavirtExitShape(code, "HashedHeads", @"(\w+)", @"\w+\+0x01", otherCalls: 1);
        Assert.Contains(code, l => l.StartsWith("call") && l.Contains("QSpinLockArray:ThrowIndexOutOfRange"));
        Assert.DoesNotContain(code, l => l.Contains("UnlockTakingFirst") || l.Contains("TestHooks")); // the seeded bug's branch folds away
    }

    [SkippableTheory]
    [InlineData("native")]
    [InlineData("paravirt")]
    [InlineData("tas")]
    public void ArrayEnterIsOneCasWithTheContendedPathOutOfLine(string mode)
    {
        SkipUnless(IsX64, "checked on x64");
        var code = Instructions(Tier1Listings(mode)["CallArrayEnter"]);
        Assert.Single(code, l => l.StartsWith("cmpxchg"));
        Assert.Contains(code, l => l.StartsWith(mode == "paravirt" ? "cmpxchg word ptr" : "cmpxchg dword ptr"));
        var calls = code.Where(l => l.StartsWith("call")).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Contains(calls, c => c.Contains("QSpinLockArray:EnterContended"));
        Assert.Contains(calls, c => c.Contains("QSpinLockArray:ThrowIndexOutOfRange"));
        Assert.True(code.FindIndex(l => l.StartsWith("call")) > code.IndexOf("ret"), "the calls must be out of line:\n" + string.Join("\n", code));
    }

    [SkippableFact]
    public void StatsAndCheckedModeOffLeaveTheArrayEnterAndExitAsWithoutThem()
    {
        SkipUnless(IsX64, "checked on x64");
        var off = Tier1Listings("native");
        var isChecked = Tier1Listings("native", new Dictionary<string, string?> { ["QSPIN_CHECKED"] = "1" });
        var stats = Tier1Listings("native", new Dictionary<string, string?> { ["QSPIN_STATS"] = "1" });
        Assert.DoesNotContain(Instructions(off["CallArrayExit"]), l => l.Contains("CheckedMode"));
        Assert.Contains(Instructions(isChecked["CallArrayExit"]), l => l.Contains("CheckedMode")); // the check above can fail: checked mode on shows
        // Stats count the fast path in Enter: on, the listing grows; off, it is the one CAS and the two out-of-line calls (above).
        Assert.True(Instructions(stats["CallArrayEnter"]).Count > Instructions(off["CallArrayEnter"]).Count,
            "stats on should show in the array Enter listing:\n" + string.Join("\n", Instructions(stats["CallArrayEnter"])));
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

    [SkippableFact]
    public void StatsAndCheckedModeOffLeaveEnterAndExitExactlyAsWithoutThem()
    {
        SkipUnless(IsX64, "the pinned listing is x64 code");
        var listings = Tier1Listings("native");
        Assert.Equal(NativeEnterTier1, Instructions(listings["CallEnter"]));
        Assert.Equal(["mov byte ptr [rdi+0x08], 0", "ret"], Instructions(listings["CallExit"]));
    }

    [SkippableFact]
    public void StatsOnShowsUpInEnterSoTheCheckAboveCanFail()
    {
        SkipUnless(IsX64, "the pinned listing is x64 code");
        var on = Tier1Listings("native", new Dictionary<string, string?> { ["QSPIN_STATS"] = "1" });
        Assert.NotEqual(NativeEnterTier1, Instructions(on["CallEnter"]));
        // Exit counts nothing: identical with stats on.
        Assert.Equal(["mov byte ptr [rdi+0x08], 0", "ret"], Instructions(on["CallExit"]));
    }

    [SkippableFact]
    public void CheckedModeOnShowsUpInEnterAndExitSoTheCheckAboveCanFail()
    {
        SkipUnless(IsX64, "the pinned listing is x64 code");
        var on = Tier1Listings("native", new Dictionary<string, string?> { ["QSPIN_CHECKED"] = "1" });
        Assert.NotEqual(NativeEnterTier1, Instructions(on["CallEnter"]));
        Assert.NotEqual(["mov byte ptr [rdi+0x08], 0", "ret"], Instructions(on["CallExit"]));
    }
}
