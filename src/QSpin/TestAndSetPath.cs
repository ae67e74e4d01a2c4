namespace QSpin;

/// <summary>
/// The kernel's <c>virt_spin_lock</c>: when queueing would hurt (a hypervisor without pv support),
/// fall back to an unfair test-and-set on the whole word. Back-off comes from <see cref="SpinWait"/>:
/// exponentially longer spins, then yields of the core (never a 1 ms sleep).
/// </summary>
internal static class TestAndSetPath
{
    /// <summary>Spins until the lock is taken (true) or <paramref name="wait"/> gives up (false).</summary>
    public static bool Lock<TWait>(ref int word, ref TWait wait) where TWait : struct, IWaitPolicy
    {
        SpinWait backoff = default;
        while (true)
        {
            if (TWait.CanGiveUp && wait.ShouldGiveUp()) return false;
            if (TestHooks.Enabled) Spin.Pause();
            else backoff.SpinOnce(sleep1Threshold: -1);
            LockEvents.Inc(LockEvent.TasSpin);

            if (Atomic.LoadRelaxed(ref word) == 0 // the test before the set: no line ping-pong while held
                && Atomic.CompareExchange(ref word, LockWord.Locked, 0) == 0) // pairs with the release in Exit
                return true;
        }
    }
}
