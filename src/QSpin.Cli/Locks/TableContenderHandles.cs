namespace QSpin.Cli.Locks;

/// <summary><see cref="QSpinLockArray"/>, dense or padded, in whatever mode this process selected.</summary>
internal readonly struct QSpinArrayTable(QSpinLockArray locks) : ILockTableContender
{
    public void Enter(int index) => locks.Enter(index);
    public void Exit(int index) => locks.Exit(index);
}

/// <summary><c>Lock[]</c>: one <see cref="System.Threading.Lock"/> object per bucket.</summary>
internal readonly struct LockArrayTable(Lock[] locks) : ILockTableContender
{
    public static LockArrayTable Create(int length)
    {
        var locks = new Lock[length];
        for (int i = 0; i < locks.Length; i++) locks[i] = new Lock();
        return new LockArrayTable(locks);
    }

    public void Enter(int index) => locks[index].Enter();
    public void Exit(int index) => locks[index].Exit();
}

/// <summary><c>Monitor</c> on <c>object[]</c>: what <c>lock (buckets[i])</c> compiles to, one object per bucket.</summary>
internal readonly struct MonitorArrayTable(object[] gates) : ILockTableContender
{
    public static MonitorArrayTable Create(int length)
    {
        var gates = new object[length];
        for (int i = 0; i < gates.Length; i++) gates[i] = new object();
        return new MonitorArrayTable(gates);
    }

    public void Enter(int index) => Monitor.Enter(gates[index]);
    public void Exit(int index) => Monitor.Exit(gates[index]);
}

/// <summary><c>SpinLock[]</c> without owner tracking: 4-byte structs, taken in place by reference.</summary>
internal readonly struct SpinLockArrayTable(SpinLock[] locks) : ILockTableContender
{
    public static SpinLockArrayTable Create(int length)
    {
        var locks = new SpinLock[length];
        for (int i = 0; i < locks.Length; i++) locks[i] = new SpinLock(enableThreadOwnerTracking: false);
        return new SpinLockArrayTable(locks);
    }

    public void Enter(int index)
    {
        bool taken = false;
        locks[index].Enter(ref taken);
    }

    public void Exit(int index) => locks[index].Exit();
}
