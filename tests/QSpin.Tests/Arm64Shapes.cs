namespace QSpin.Tests;

/// <summary>
/// What the Tier-1 arm64 listings of the TestHost's CallExit/CallEnter/CallTryEnter must look like,
/// on ARMv8.0 (<c>-cpu cortex-a57</c>: exclusive pairs <c>ldaxr</c>/<c>stlxr</c> and <c>dmb ish</c>)
/// and with LSE atomics (<c>-cpu max</c>: <c>casal</c>, <c>casalh</c>, <c>casalb</c>). Release JITs
/// print an arm64 call as <c>blr xN</c> through an address without naming its target (x64 listings
/// name it, and DisassemblyTests checks the names there), so these check the shape: which atomic, how
/// many calls, and that the call sits after the fast path's return (out of line).
/// </summary>
internal static class Arm64Shapes
{
    private static readonly HashSet<string> Frame = ["stp fp, lr, [sp, #-0x10]!", "mov fp, sp", "ldp fp, lr, [sp], #0x10", "ret lr"];

    private static string Show(List<string> code) => "\n" + string.Join("\n", code);

    private static bool IsCall(string i) => i.StartsWith("bl ", StringComparison.Ordinal) || i.StartsWith("blr ", StringComparison.Ordinal);

    /// <summary>Native Exit: one store-release of zero into the locked byte; no barrier, no call, no branch.</summary>
    public static void NativeExit(List<string> code) => OneStoreReleaseOfZero(code, "b", "native Exit");

    /// <summary>Test-and-set Exit: one store-release of zero into the whole word; no barrier, no call, no branch.</summary>
    public static void TestAndSetExit(List<string> code) => OneStoreReleaseOfZero(code, "", "test-and-set Exit");

    /// <summary>Between prologue and epilogue only <c>stlr{suffix}</c>/<c>stlur{suffix} wzr</c> (and the address computation).</summary>
    private static void OneStoreReleaseOfZero(List<string> code, string suffix, string what)
    {
        var body = code.Where(i => !Frame.Contains(i)).ToList();
        Assert.True(body.Count(i => i.StartsWith($"stlr{suffix} wzr, [", StringComparison.Ordinal) || i.StartsWith($"stlur{suffix} wzr, [", StringComparison.Ordinal)) == 1,
            $"{what}: expected one stlr{suffix}/stlur{suffix} of wzr" + Show(code));
        Assert.True(body.All(i => i.StartsWith("stl", StringComparison.Ordinal) || i.StartsWith("add ", StringComparison.Ordinal)),
            $"{what}: expected only the store (and its address) between prologue and epilogue: no dmb, no call, no branch" + Show(code));
    }

    /// <summary>
    /// One CAS of the given width (<paramref name="suffix"/>: "b" byte, "h" halfword, "" word): one
    /// <c>casal{suffix}</c> with LSE, or one <c>ldaxr{suffix}</c>/<c>stlxr{suffix}</c> loop on ARMv8.0.
    /// </summary>
    private static void OneCas(List<string> code, string suffix, string what)
    {
        int cas = code.Count(i => i.StartsWith($"casal{suffix} ", StringComparison.Ordinal));
        int loads = code.Count(i => i.StartsWith($"ldaxr{suffix} ", StringComparison.Ordinal));
        int stores = code.Count(i => i.StartsWith($"stlxr{suffix} ", StringComparison.Ordinal));
        Assert.True(cas + loads == 1 && loads == stores,
            $"{what}: expected one casal{suffix} or one ldaxr{suffix}/stlxr{suffix} loop" + Show(code));
        Assert.DoesNotContain(code, i => i.StartsWith("casal", StringComparison.Ordinal) && !i.StartsWith($"casal{suffix} ", StringComparison.Ordinal));
    }

    /// <summary>Exactly one call, placed after the first return: the fast path falls through to <c>ret</c>, the slow path is out of line.</summary>
    private static void OneOutOfLineCall(List<string> code, string what)
    {
        Assert.True(code.Count(IsCall) == 1, $"{what}: expected exactly one call" + Show(code));
        Assert.True(code.FindIndex(IsCall) > code.IndexOf("ret lr"), $"{what}: the call is not out of line (before the fast path's return)" + Show(code));
    }

    /// <summary>Paravirt Exit: no atomic, one store-release of 0 into the locked byte, then a byte load of Parked, with the kick out of line.</summary>
    public static void ParavirtExit(List<string> code, int otherCalls = 0)
    {
        var writes = code.Where(IsMemoryWrite).ToList();
        Assert.True(writes.Count == 1 && (writes[0].StartsWith("stlrb wzr, [", StringComparison.Ordinal) || writes[0].StartsWith("stlurb wzr, [", StringComparison.Ordinal)),
            "paravirt Exit: expected one write to memory, an stlrb/stlurb of wzr (no atomic)" + Show(code));
        Assert.DoesNotContain(code, i => i.StartsWith("dmb", StringComparison.Ordinal) || i.StartsWith("cas", StringComparison.Ordinal) || i.StartsWith("ldax", StringComparison.Ordinal) || i.StartsWith("swp", StringComparison.Ordinal) || i.StartsWith("stlx", StringComparison.Ordinal));
        int store = code.IndexOf(writes[0]);
        Assert.True(code.FindIndex(store, i => i.StartsWith("ld", StringComparison.Ordinal) && i.Contains("b ", StringComparison.Ordinal)) > store,
            "paravirt Exit: expected a byte load (of Parked) after the store" + Show(code));
        Assert.True(code.Count(IsCall) == 1 + otherCalls && code.FindIndex(IsCall) > code.IndexOf("ret lr"),
            $"paravirt Exit: expected {1 + otherCalls} call(s) (the kick, and an array's index check), out of line" + Show(code));
    }

    /// <summary>Enter: one CAS (paravirt: of locked+pending, 16 bits; otherwise the whole word) and the contended path out of line.</summary>
    public static void Enter(List<string> code, string mode)
    {
        OneCas(code, mode == "paravirt" ? "h" : "", $"{mode} Enter");
        OneOutOfLineCall(code, $"{mode} Enter");
    }

    /// <summary>TryEnter: one whole-word CAS, no call.</summary>
    public static void TryEnter(List<string> code, string mode)
    {
        OneCas(code, "", $"{mode} TryEnter");
        Assert.True(!code.Any(IsCall), $"{mode} TryEnter: expected no call" + Show(code));
    }

    /// <summary>A store to memory that is not the stack frame (prologue saves are <c>stp</c>/<c>str</c> to <c>[sp</c>/<c>[fp</c>).</summary>
    private static bool IsMemoryWrite(string i) =>
        i.StartsWith("st", StringComparison.Ordinal) && !i.Contains("[sp", StringComparison.Ordinal) && !i.Contains("[fp", StringComparison.Ordinal);

    /// <summary>
    /// Native QSpinLockArray.Exit(i): the bounds check and the address, then one store-release of zero
    /// into the locked byte, the only write to memory and no barrier or atomic; the only call is the
    /// index-out-of-range throw, out of line.
    /// </summary>
    public static void NativeArrayExit(List<string> code)
    {
        var writes = code.Where(IsMemoryWrite).ToList();
        Assert.True(writes.Count == 1 && (writes[0].StartsWith("stlrb wzr, [", StringComparison.Ordinal) || writes[0].StartsWith("stlurb wzr, [", StringComparison.Ordinal)),
            "native array Exit: expected one write to memory, an stlrb/stlurb of wzr" + Show(code));
        Assert.DoesNotContain(code, i => i.StartsWith("dmb", StringComparison.Ordinal) || i.StartsWith("cas", StringComparison.Ordinal) || i.StartsWith("ldax", StringComparison.Ordinal) || i.StartsWith("swp", StringComparison.Ordinal));
        Assert.True(code.Count(IsCall) <= 1 && (code.FindIndex(IsCall) < 0 || code.FindIndex(IsCall) > code.IndexOf("ret lr")),
            "native array Exit: the only call (the index check's throw) must be out of line" + Show(code));
    }
}
