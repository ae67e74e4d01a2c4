namespace QSpin.Cli.Torture;

/// <summary>A lock as the torture sees it: enter, exit, and what a watchdog dump can say about it.</summary>
internal interface ITortureLock
{
    void Enter();

    void Exit();

    /// <summary>The lock's state for a watchdog dump (QSpin: the lock word and the queued nodes).</summary>
    string Describe();

    /// <summary>Called after every writer has left: null when the lock is free and clean, else what is wrong.</summary>
    string? CheckIdle();
}

/// <summary>The lock types <c>qspin torture --type</c> accepts, and their construction.</summary>
internal static class TortureLocks
{
    public const string QSpin = "qspin";
    public const string Busted = "busted";
    public const string BustedUnlock = "busted-unlock";

    /// <summary>Every accepted type: QSpin, two deliberately broken locks, and .NET's own locks for comparison.</summary>
    public static readonly string[] Types = [QSpin, Busted, BustedUnlock, "lock", "monitor", "spinlock"];

    public static bool IsKnown(string? type) => type is not null && Types.Contains(type);

    /// <summary>Creates one lock of <paramref name="type"/>.</summary>
    /// <exception cref="InvalidOperationException">QSpin's mode setting (<c>QSPIN_MODE</c>) is invalid.</exception>
    public static ITortureLock Create(string type) => type switch
    {
        QSpin => new QSpinTortureLock(),
        Busted => new BustedLock(),
        BustedUnlock => new BustedUnlockLock(),
        "lock" => new ThreadingTortureLock(),
        "monitor" => new MonitorTortureLock(),
        "spinlock" => new SpinLockTortureLock(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown lock type"),
    };

    /// <summary>The lock may be taken and released by the calling thread right now: the generic idle check.</summary>
    public static string? CheckAcquirable(Func<bool> tryEnter, Action exit, string name)
    {
        if (!tryEnter()) return $"{name} cannot be acquired after every writer has left";
        exit();
        return null;
    }
}

/// <summary>QSpin's lock, in whatever mode this process selected.</summary>
internal sealed class QSpinTortureLock : ITortureLock
{
    private readonly QSpinLock _lock = new();

    public void Enter() => _lock.Enter();

    public void Exit() => _lock.Exit();

    public string Describe() => QSpinDiagnostics.Dump(_lock);

    public string? CheckIdle()
    {
        // With nobody inside or waiting, every bit of the word must be clear: a stale pending bit
        // or tail would make the next Enter wait for a waiter that does not exist.
        int word = Volatile.Read(ref _lock.Word);
        if (word != 0) return $"lock word not zero after every writer left: {LockWord.Describe(word)}";
        return TortureLocks.CheckAcquirable(_lock.TryEnter, _lock.Exit, "QSpinLock");
    }
}

/// <summary><see cref="System.Threading.Lock"/>: unfair, adaptive spin, then parks.</summary>
internal sealed class ThreadingTortureLock : ITortureLock
{
    private readonly Lock _lock = new();

    public void Enter() => _lock.Enter();

    public void Exit() => _lock.Exit();

    public string Describe() => $"{_lock} (no owner or queue state is public)";

    public string? CheckIdle() => TortureLocks.CheckAcquirable(_lock.TryEnter, _lock.Exit, "Lock");
}

/// <summary><see cref="Monitor"/> on a private object.</summary>
internal sealed class MonitorTortureLock : ITortureLock
{
    private readonly object _gate = new();

    public void Enter() => Monitor.Enter(_gate);

    public void Exit() => Monitor.Exit(_gate);

    public string Describe() => $"Monitor on {_gate} (no owner or queue state is public)";

    public string? CheckIdle() => TortureLocks.CheckAcquirable(() => Monitor.TryEnter(_gate), () => Monitor.Exit(_gate), "Monitor");
}

/// <summary><see cref="SpinLock"/> without owner tracking: test-and-CAS, never parks.</summary>
internal sealed class SpinLockTortureLock : ITortureLock
{
    private SpinLock _lock = new(enableThreadOwnerTracking: false);

    public void Enter()
    {
        bool taken = false;
        _lock.Enter(ref taken);
    }

    public void Exit() => _lock.Exit();

    public string Describe() => $"SpinLock IsHeld={_lock.IsHeld}";

    public string? CheckIdle() => TortureLocks.CheckAcquirable(TryEnter, Exit, "SpinLock");

    private bool TryEnter()
    {
        bool taken = false;
        _lock.TryEnter(ref taken);
        return taken;
    }
}
