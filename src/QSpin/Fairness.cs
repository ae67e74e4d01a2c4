namespace QSpin;

/// <summary>
/// The fairness bound each mode enforces: how long a waiter can be bypassed, that is, for how long
/// after it started to wait a thread that arrived later can still take the lock before it.
/// </summary>
internal static class Fairness
{
    /// <summary>Paravirt: once a queued waiter has waited this long, no later arrival takes the lock before it.</summary>
    public static readonly TimeSpan ParavirtStealWindow = TimeSpan.FromMilliseconds(1);

    /// <summary>The bound for <paramref name="mode"/>: zero for native (FIFO, no stealing), the steal window for paravirt, null for test-and-set (unfair, no bound).</summary>
    public static TimeSpan? BypassBound(QSpinMode mode) => mode switch
    {
        QSpinMode.Native => TimeSpan.Zero,
        QSpinMode.Paravirt => ParavirtStealWindow,
        _ => null,
    };
}
