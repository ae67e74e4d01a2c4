namespace QSpin.Testing;

/// <summary>
/// Follows the word of a held queued lock while waiters arrive one at a time, so that a test starts
/// the next waiter only once the last one shows in the word, and so knows the order of the queue.
/// </summary>
/// <remarks>
/// The word is read through a delegate, so a watch serves a <see cref="QSpinLock"/>'s word and any
/// other word with the same layout. A source file shared by the test assemblies that see QSpin's
/// internals (linked into each project).
/// </remarks>
internal sealed class ArrivalWatch
{
    private readonly Func<int> _readWord;
    private readonly QSpinMode _mode;
    private int _last;

    /// <param name="readWord">Reads the lock word (with <see cref="Volatile.Read(ref int)"/>); the lock is held while the watch is used.</param>
    /// <param name="mode">The mode the waiters run in: <see cref="QSpinMode.Native"/> or <see cref="QSpinMode.Paravirt"/>.</param>
    public ArrivalWatch(Func<int> readWord, QSpinMode mode)
    {
        if (mode is not (QSpinMode.Native or QSpinMode.Paravirt))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "test-and-set waiters leave no trace in the lock word: only Native and Paravirt waiters can be watched");
        _readWord = readWord;
        _mode = mode;
        _last = readWord();
    }

    /// <summary>
    /// True once the word shows a waiter it did not show at the previous arrival (or when the watch
    /// began; see <see cref="ShowsNewWaiter"/>); the next arrival is then compared with that word.
    /// </summary>
    public bool NewArrival()
    {
        int now = _readWord();
        if (!ShowsNewWaiter(_mode, _last, now)) return false;
        _last = now;
        return true;
    }

    /// <summary>Returns once <see cref="NewArrival"/> is true; fails after <see cref="Poll.Bound"/>, naming <paramref name="who"/> and the word.</summary>
    public void WaitForNewArrival(string who) =>
        Poll.Until(NewArrival, who + " waiting in the lock word", () => "word " + LockWord.Describe(_readWord()));

    /// <summary>
    /// Whether <paramref name="now"/> shows one more waiter than <paramref name="before"/>, both read
    /// while the lock is held: in native mode a contender that finds nothing but the owner sets the
    /// pending bit; every other contender, and every paravirt one, queues and becomes a new tail. In
    /// paravirt mode only the queue head sets and clears pending, so pending tells nothing of arrivals.
    /// </summary>
    public static bool ShowsNewWaiter(QSpinMode mode, int before, int now)
    {
        if (mode == QSpinMode.Native && (before & ~LockWord.LockedMask) == 0)
            return (now & LockWord.PendingMask) != 0;
        int tail = now & LockWord.TailMask;
        return tail != 0 && tail != (before & LockWord.TailMask);
    }
}
