namespace QSpin.Cli.Locks;

/// <summary><see cref="QSpinLock"/> in whatever mode this process selected.</summary>
internal readonly struct QSpinContender(QSpinLock l) : ILockContender
{
    public void Enter() => l.Enter();
    public void Exit() => l.Exit();
}

/// <summary><see cref="System.Threading.Lock"/>.</summary>
internal readonly struct DotNetLockContender(Lock l) : ILockContender
{
    public void Enter() => l.Enter();
    public void Exit() => l.Exit();
}

/// <summary><see cref="Monitor"/> on a private object: what <c>lock(obj)</c> compiles to.</summary>
internal readonly struct MonitorContender(object o) : ILockContender
{
    public void Enter() => Monitor.Enter(o);
    public void Exit() => Monitor.Exit(o);
}

/// <summary>A <see cref="SpinLock"/> is a mutable struct: it lives in this box so every thread uses the same one.</summary>
internal sealed class SpinLockBox
{
    public SpinLock Lock = new(enableThreadOwnerTracking: false);
}

/// <summary><see cref="SpinLock"/> without owner tracking.</summary>
internal readonly struct SpinLockContender(SpinLockBox box) : ILockContender
{
    public void Enter()
    {
        bool taken = false;
        box.Lock.Enter(ref taken);
    }

    public void Exit() => box.Lock.Exit();
}
