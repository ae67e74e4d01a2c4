using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// Scheduling hooks for systematic interleaving tests (Coyote). Off in production: <see cref="Enabled"/>
/// is a static readonly field read once, so Tier-1 code folds every <c>if (TestHooks.Enabled)</c> away.
/// A test process turns it on with the AppContext switch <c>QSpin.TestHooks</c> before any QSpin type
/// is used, then installs the delegates.
/// </summary>
internal static class TestHooks
{
    /// <summary>True only in a test process that asked for hooks before first use.</summary>
    [FeatureSwitchDefinition(FeatureSwitches.TestHooks)]
    public static bool Enabled { get; } =
        FeatureSwitches.IsOn(FeatureSwitches.TestHooks);

    /// <summary>Called before every atomic step of the lock (a scheduling point).</summary>
    public static Action? OnAtomic;

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

    /// <summary>Pauses a paravirt arrival spends trying to steal before it queues, when hooks are on (real: the spin threshold).</summary>
    public static int StealSpins = 4;

    /// <summary>Seeded bugs for mutation testing; never set outside tests.</summary>
    public static Mutant Mutant;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave()
    {
        if (Enabled) OnAtomic?.Invoke();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Is(Mutant m) => Enabled && Mutant == m;
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
    /// <summary>The paravirt head sets Slow before it publishes itself as the lock's parked head.</summary>
    PvSlowBeforeHash,
    /// <summary>A hand-over stores the baton even into a waiter that may have abandoned its node.</summary>
    HandOverToAbandoned,
    /// <summary>A queue head that gives up just leaves, without leaving the tail or passing its role on.</summary>
    HeadAbortWithoutHandOver,
    /// <summary>A queue head whose claim CAS failed assumes someone queued behind it (the kernel's reading), even if only pending flickered.</summary>
    ClaimTrustsFailedCas,
}
