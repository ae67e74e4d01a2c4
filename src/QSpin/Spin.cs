using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace QSpin;

/// <summary>cpu_relax() and the bounded spin parameters.</summary>
internal static class Spin
{
    /// <summary>
    /// The paravirt spin bound, in pauses, before a waiter parks or an arrival stops trying to steal
    /// and queues: 2^11 (about 50 µs at 25 ns a pause), not the kernel's 2^15, which is sized against a
    /// vCPU halt and kick rather than a futex. Why, with the measurements: docs/benchmarks.md, "Paravirt tuning".
    /// </summary>
    public static int PvSpinThreshold
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Enabled ? TestHooks.SpinThreshold : PvSpinThresholdPauses;
    }

    private const int PvSpinThresholdPauses = 1 << 11;

    /// <summary>How many pauses a paravirt arrival spends trying to steal before it queues: the spin threshold.</summary>
    public static int PvStealSpins
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Enabled ? TestHooks.StealSpins : PvSpinThresholdPauses;
    }

    /// <summary>
    /// The largest number of pauses a would-be stealer waits between two looks at the lock word (it
    /// starts at 1 and doubles): about 1.6 µs here. Looking less often leaves the lock's cache line
    /// with its owner, which can then take the lock again at once.
    /// </summary>
    public const int StealBackoffCap = 64;

    /// <summary>
    /// Timed waits look at the clock every 256 spins (a clock read costs more than a pause); under
    /// test hooks, on every spin, so that systematic tests reach every give-up point in a few steps.
    /// </summary>
    public static int GiveUpCheckMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Enabled ? 0 : 0xFF;
    }

    /// <summary>How often the paravirt waiter behind the head checks whether its predecessor still runs.</summary>
    public const int PvPrevCheckMask = 0xFF;

    /// <summary>Bounded re-reads of a (0,1,0) word while a pending waiter takes the lock (the kernel's x86 value).</summary>
    public const int PendingLoops = 512;

    /// <summary>
    /// Native waits are unbounded pure spins, as in the kernel. In a process the OS may still
    /// preempt the thread a spinner waits for; every 2^16 pauses the spinner gives its core away once
    /// so that such a thread gets to run. On dedicated cores a hand-off takes far less than that.
    /// </summary>
    private const int YieldMask = (1 << 16) - 1;

    /// <summary>One spin-loop pause (PAUSE on x86, YIELD on Arm); a controlled yield under test hooks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pause()
    {
        if (TestHooks.Enabled)
        {
            TestHooks.OnSpin?.Invoke();
            return;
        }
        if (X86Base.IsSupported) X86Base.Pause();
        else if (ArmBase.IsSupported) ArmBase.Yield();
        else Thread.SpinWait(1);
    }

    /// <summary>A pause inside an unbounded wait: mostly <see cref="Pause"/>, now and then a yield of the core.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PauseUnbounded(ref int spins)
    {
        if ((++spins & YieldMask) == 0 && !TestHooks.Enabled) Thread.Yield();
        else Pause();
    }
}
