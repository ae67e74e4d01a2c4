using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace QSpin;

/// <summary>cpu_relax() and the bounded spin parameters.</summary>
internal static class Spin
{
    /// <summary>
    /// The paravirt spin bound, in pauses, before a queued waiter parks: 2^11 (about 50 µs at 25 ns a pause), not the kernel's 2^15, which is sized against a
    /// vCPU halt and kick rather than a futex. Why, with the measurements: docs/benchmarks.md, "Paravirt tuning".
    /// </summary>
    public static int PvSpinThreshold
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Enabled ? TestHooks.SpinThreshold : PvSpinThresholdPauses;
    }

    private const int PvSpinThresholdPauses = 1 << 11;

    /// <summary>
    /// How many <see cref="SpinWait.SpinOnce(int)"/> back-off steps a paravirt arrival spends trying to
    /// steal before it queues: 20, ten exponentially longer spins and then ten steps of which half yield
    /// the core (SpinWait's schedule). Under test hooks <see cref="TestHooks.StealSpins"/> single pauses.
    /// </summary>
    public static int PvStealSteps
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Enabled ? TestHooks.StealSpins : PvStealBackoffSteps;
    }

    private const int PvStealBackoffSteps = 20;

    /// <summary>
    /// <see cref="Fairness.ParavirtStealWindow"/> in <see cref="Stopwatch"/> ticks: a queued waiter that
    /// has waited this long makes its queue's head keep Pending set, so arrivals stop stealing.
    /// Under test hooks <see cref="TestHooks.StealWindowTicks"/> (0: every head keeps Pending).
    /// </summary>
    public static long StealWindowTicks
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Enabled ? TestHooks.StealWindowTicks : s_stealWindowTicks;
    }

    private static readonly long s_stealWindowTicks = (long)(Fairness.ParavirtStealWindow.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// The longest a parked paravirt queue head sleeps without a kick before it looks at the lock again (10 ms):
    /// a safety net, never needed when the platform's process-wide barrier does what it documents (the
    /// unlock's handshake depends on it, <see cref="Atomic.MemoryBarrierProcessWide"/>). Not under test
    /// hooks, where a lost kick must show as a deadlock.
    /// </summary>
    public const long ParkRecheckNanoseconds = 10_000_000;

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
