namespace QSpin;

/// <summary>
/// Thrown in checked mode by one thread of a cycle of threads each waiting for a
/// lock that the next one holds (a <see cref="QSpinLock"/>, or an element of a <see cref="QSpinLockArray"/>). The thrower did not acquire the lock it waited for
/// and still holds the locks it held; releasing them (for example by leaving <c>using</c> scopes) lets the
/// other threads of the cycle proceed.
/// </summary>
public sealed class QSpinDeadlockException : Exception
{
    /// <summary>Creates the exception; <paramref name="locks"/>[i] is what <paramref name="threads"/>[i] waits for.</summary>
    public QSpinDeadlockException(string message, IReadOnlyList<object> locks, IReadOnlyList<Thread> threads)
        : base(message)
    {
        Locks = locks;
        Threads = threads;
    }

    /// <summary>
    /// The locks of the cycle: <see cref="Threads"/>[i] waits for <see cref="Locks"/>[i], which
    /// <see cref="Threads"/>[i+1] holds. Each is a <see cref="QSpinLock"/> or a <see cref="QSpinLockArray.Element"/>.
    /// </summary>
    public IReadOnlyList<object> Locks { get; }

    /// <summary>The threads of the cycle, the throwing thread first.</summary>
    public IReadOnlyList<Thread> Threads { get; }
}
