using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// Scheduling hooks for systematic interleaving tests (Coyote). Off in production: <see cref="Enabled"/>
/// is read once into a static readonly field, so Tier-1 code folds every <c>if (TestHooks.Enabled)</c> away.
/// A test process turns it on with the AppContext switch <c>QSpin.TestHooks</c> before any QSpin type
/// is used, then installs the delegates.
/// </summary>
internal static class TestHooks
{
    /// <summary>True only in a test process that asked for hooks before first use.</summary>
    [FeatureSwitchDefinition(FeatureSwitches.TestHooks)]
    public static bool Enabled => Switch.On;

    /// <summary>
    /// <see cref="Enabled"/> as a field, for the checks inside <see cref="Atomic"/>: the JIT reads a
    /// static readonly field as a constant while it imports the method, where a property is a call
    /// until it is inlined. With the property, every inlined <see cref="Atomic"/> call would evaluate
    /// its address argument into a temporary before a not-yet-folded branch, and Tier-1 code would lose
    /// its <c>[reg+offset]</c> addressing (an extra <c>add</c>; DisassemblyTests pin the code). A
    /// trimmed publish that fixes the switch substitutes the property, and this field becomes a
    /// constant initialiser the type can be preinitialised with.
    /// </summary>
    private static readonly bool s_enabled = Enabled;

    /// <summary>The switch itself, read once; kept out of this type's initialiser (see <see cref="s_enabled"/>).</summary>
    private static class Switch
    {
        public static readonly bool On = FeatureSwitches.IsOn(FeatureSwitches.TestHooks);
    }

    /// <summary>Called before every atomic step of the lock (a scheduling point).</summary>
    public static Action? OnAtomic;

    /// <summary>Called by a paravirt steal between its read of the word and its CAS: a test may stall the stealer there.</summary>
    public static Action? BetweenStealReadAndCas;

    /// <summary>Called in every spin-loop iteration instead of a pause (a controlled yield).</summary>
    public static Action? OnSpin;

    /// <summary>Replaces the platform futex wait: sleep only while <c>*address == expected</c>.</summary>
    public static WaitHook? Wait;

    /// <summary>Replaces the platform futex wake of one waiter on an address.</summary>
    public static Action<nint>? Wake;

    /// <summary>
    /// When set, a timed wait also gives up when this returns true (a test's controlled stand-in for a
    /// deadline or a cancellation, which the clock and CancellationTokenSource cannot be under Coyote).
    /// </summary>
    public static Func<bool>? GiveUp;

    /// <summary>Spin bound used by the paravirt path when hooks are on (real: 2^11).</summary>
    public static int SpinThreshold = 4;

    /// <summary>Steal attempts (one controlled pause each) a paravirt arrival makes before it queues, when hooks are on (real: 20 SpinWait back-off steps).</summary>
    public static int StealSpins = 4;

    /// <summary>The paravirt steal window in Stopwatch ticks when hooks are on (real: 1 ms): 0 makes every queue head keep Pending while it parks (and KickNode set it for a parked successor); the default, never.</summary>
    public static long StealWindowTicks = long.MaxValue;

    /// <summary>Seeded bugs for mutation testing, read through <see cref="Seeded"/>; never set outside tests.</summary>
    public static Mutant Mutant;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave()
    {
        if (s_enabled) OnAtomic?.Invoke();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Is(Mutant m) => s_enabled && Mutant == m;
}

/// <summary>A futex-style wait: returns when <c>*address != expected</c>, on a wake, or spuriously.</summary>
internal unsafe delegate void WaitHook(int* address, int expected);

/// <summary>Deliberately broken variants of the lock, switched on only by tests to prove they can fail.</summary>
internal enum Mutant
{
    None,
    /// <summary>Unlock stores the whole word instead of the locked byte (erases pending and tail).</summary>
    UnlockWholeWord,
    /// <summary>A contender that loses the race for pending does not undo the pending bit it set.</summary>
    NoPendingUndo,
    /// <summary>The queue head claims with a plain store, without checking that it is still the tail.</summary>
    ClaimWithoutTailCheck,
    /// <summary>The head does not wait for its successor to link itself before handing over.</summary>
    HandoffBeforeLink,
    /// <summary>The paravirt unlock releases on the slow path but does not kick the parked head.</summary>
    PvUnlockNoKick,
    /// <summary>The paravirt head sets Parked before it records itself as the lock's parked head.</summary>
    PvParkedBeforeRecord,
    /// <summary>A hand-over stores the baton even into a waiter that may have abandoned its node.</summary>
    HandOverToAbandoned,
    /// <summary>A queue head that gives up just leaves, without leaving the tail or passing its role on.</summary>
    HeadAbortWithoutHandOver,
    /// <summary>A queue head whose claim CAS failed assumes someone queued behind it (the kernel's reading), even if only pending flickered.</summary>
    ClaimTrustsFailedCas,
    /// <summary>A paravirt head that takes its Parked bit back leaves its record in place (fills a shared table).</summary>
    PvKeepsStaleRecord,
    /// <summary>The paravirt unlock takes the parked-head record before it claims Parked, and kicks what it took then.</summary>
    PvTakeBeforeClaim,
    /// <summary>The paravirt unlock reads Parked before its release store: the reordering that the parking head's process-wide barrier rules out.</summary>
    PvUnlockReadsParkedFirst,
    /// <summary>A paravirt queue head that has waited past the steal window still lets arrivals steal while it parks.</summary>
    PvStarvingHeadAllowsSteals,
    /// <summary>A paravirt steal CASes the locked byte alone, so Pending set after its read of the word does not stop it.</summary>
    PvStealsWithByteCas,
    /// <summary>The hash table's search looks only at a lock's home line, not as far as records may have been placed.</summary>
    PvHashHomeLineOnly,
}
