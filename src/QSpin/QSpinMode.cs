namespace QSpin;

/// <summary>How every <see cref="QSpinLock"/> in the process waits, chosen once per process (see <see cref="QSpinOps"/>).</summary>
public enum QSpinMode
{
    /// <summary>
    /// The kernel's native queued spinlock: FIFO MCS hand-off, every waiter spins on its own cache
    /// line, unlock is one byte store. For threads on dedicated cores; when runnable threads
    /// outnumber cores, each hand-off may wait for a descheduled waiter and throughput collapses.
    /// </summary>
    Native,

    /// <summary>
    /// The kernel's paravirtual queued spinlock: waiters spin a bounded time and then park on a futex,
    /// the queue head is woken only when the unlocker finds it parked, and arrivals may steal the lock
    /// for a bounded time before they queue and while the head sleeps. Survives oversubscription, VMs and containers. The default.
    /// </summary>
    Paravirt,

    /// <summary>
    /// The kernel's <c>virt_spin_lock</c> fallback: an unfair test-and-set on the whole word with
    /// back-off. No queue, no fairness, no parking.
    /// </summary>
    TestAndSet,
}
