namespace QSpin;

/// <summary>
/// The fairness bound each mode enforces: how long a waiter can be bypassed, that is, for how long
/// after it started to wait a thread that arrived later can still take the lock before it.
/// </summary>
internal static class Fairness
{
    /// <summary>
    /// Paravirt: once a waiter has been the queue head this long, no later arrival takes the lock before
    /// it: its next release is the head's. The queue is FIFO, so each waiter's wait is bounded by the
    /// waiters ahead of it, each head getting the lock within this window after it became the head
    /// (plus the time for a parked head to run, and the critical sections). A window per head, not per
    /// queued waiter: with one per waiter, a long queue under heavy oversubscription would hand the lock
    /// only to sleeping waiters (a wake-up per acquisition: 0.17 M/s at 256 threads on 2 cores).
    /// </summary>
    public static readonly TimeSpan ParavirtStealWindow = TimeSpan.FromMilliseconds(1);

    /// <summary>The bound for <paramref name="mode"/>: zero for native (FIFO, no stealing), the steal window for paravirt, null for test-and-set (unfair, no bound).</summary>
    public static TimeSpan? BypassBound(QSpinMode mode) => mode switch
    {
        QSpinMode.Native => TimeSpan.Zero,
        QSpinMode.Paravirt => ParavirtStealWindow,
        _ => null,
    };
}
