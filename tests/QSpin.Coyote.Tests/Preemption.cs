using Microsoft.Coyote.Runtime;

namespace QSpin.Coyote.Tests;

/// <summary>
/// An owner descheduled inside its unlock's slow path (<see cref="Scenario.UnlockStall"/>): while a
/// task runs ExitAs, each atomic step after its first (the release store)
/// is preceded by extra scheduling points. Every schedule this gives is one the random strategy could
/// pick anyway; it only makes long runs of the other tasks inside the unlock's window likely, where
/// without it each of the unlocker's steps is as likely as any other task's.
/// </summary>
internal static class Preemption
{
    /// <summary>Extra scheduling points before each atomic step of a slow-path unlock (0: off).</summary>
    public static int UnlockStall;

    [ThreadStatic] private static bool t_inUnlock;

    /// <summary>Extra scheduling points between a steal's read and its CAS (<see cref="Scenario.StealStall"/>; 0: off).</summary>
    public static int StealStall;

    /// <summary>Installed as <see cref="TestHooks.BetweenStealReadAndCas"/>.</summary>
    public static void BetweenStealReadAndCas()
    {
        for (int i = 0; i < StealStall; i++) SchedulingPoint.Interleave();
    }
    [ThreadStatic] private static int t_unlockSteps;

    public static void BeginUnlock()
    {
        t_inUnlock = true;
        t_unlockSteps = 0;
    }

    public static void EndUnlock() => t_inUnlock = false;

    /// <summary>Called before every atomic step (from <see cref="Coverage.OnAtomic"/>).</summary>
    public static void BeforeAtomic()
    {
        if (!t_inUnlock || ++t_unlockSteps == 1) return;
        for (int i = 0; i < UnlockStall; i++) SchedulingPoint.Interleave();
    }
}
