namespace QSpin.Cli.Locks;

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
        return IdleCheck.Acquirable(_lock.TryEnter, _lock.Exit, "QSpinLock");
    }
}

/// <summary><see cref="System.Threading.Lock"/>: unfair, adaptive spin, then parks.</summary>
internal sealed class ThreadingTortureLock : ITortureLock
{
    private readonly Lock _lock = new();

    public void Enter() => _lock.Enter();

    public void Exit() => _lock.Exit();

    public string Describe() => $"{_lock} (no owner or queue state is public)";

    public string? CheckIdle() => IdleCheck.Acquirable(_lock.TryEnter, _lock.Exit, "Lock");
}

/// <summary><see cref="Monitor"/> on a private object.</summary>
internal sealed class MonitorTortureLock : ITortureLock
{
    private readonly object _gate = new();

    public void Enter() => Monitor.Enter(_gate);

    public void Exit() => Monitor.Exit(_gate);

    public string Describe() => $"Monitor on {_gate} (no owner or queue state is public)";

    public string? CheckIdle() => IdleCheck.Acquirable(() => Monitor.TryEnter(_gate), () => Monitor.Exit(_gate), "Monitor");
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

    public string? CheckIdle() => IdleCheck.Acquirable(TryEnter, Exit, "SpinLock");

    private bool TryEnter()
    {
        bool taken = false;
        _lock.TryEnter(ref taken);
        return taken;
    }
}

/// <summary>The idle check every lock without inspectable state shares.</summary>
internal static class IdleCheck
{
    /// <summary>The lock may be taken and released by the calling thread right now: the generic idle check.</summary>
    public static string? Acquirable(Func<bool> tryEnter, Action exit, string name)
    {
        if (!tryEnter()) return $"{name} cannot be acquired after every writer has left";
        exit();
        return null;
    }
}
