namespace QSpin.Cli.Bench;

/// <summary>Where a contender comes from, for tables and docs.</summary>
internal enum ContenderKind
{
    /// <summary>This project's lock.</summary>
    QSpin,

    /// <summary>A lock that ships with .NET.</summary>
    DotNet,

    /// <summary>A textbook lock written here as a yardstick (Reference*.cs).</summary>
    Reference,
}

/// <summary>
/// One named contender: how to build it and run the workload on it. Every contender runs in its own
/// worker process (<see cref="WorkerProcess"/>); <see cref="Mode"/> is the QSPIN_MODE that process gets.
/// </summary>
internal sealed record Contender(string Name, ContenderKind Kind, string Description, QSpinMode? Mode, Func<WorkloadSpec, Sample> Run, bool Stats = false)
{
    /// <summary>A contender whose lock handle is the struct <typeparamref name="TLock"/>, made fresh for each run.</summary>
    /// <param name="stats">Run the worker with QSPIN_STATS=1, so it counts and reports QSpin's lock events.</param>
    public static Contender Of<TLock>(string name, ContenderKind kind, string description, Func<TLock> create, QSpinMode? mode = null, bool stats = false)
        where TLock : struct, ILockContender
        => new(name, kind, description, mode, spec => spec.Dispatch == Dispatch.Interface
            ? Workload.Run(new ViaInterface(create()), spec)
            : Workload.Run(create(), spec), stats);
}

/// <summary>The registry of contenders, in the order tables and plots show them.</summary>
internal static class Contenders
{
    public static readonly IReadOnlyList<Contender> All =
    [
        Contender.Of("qspin-native", ContenderKind.QSpin, "QSpinLock, QSPIN_MODE=native: FIFO MCS queue, pure spinning", () => new QSpinContender(new QSpinLock()), QSpinMode.Native),
        Contender.Of("qspin-paravirt", ContenderKind.QSpin, "QSpinLock, QSPIN_MODE=paravirt: bounded spinning, parking, lock stealing", () => new QSpinContender(new QSpinLock()), QSpinMode.Paravirt),
        Contender.Of("qspin-tas", ContenderKind.QSpin, "QSpinLock, QSPIN_MODE=tas: unfair test-and-set with back-off", () => new QSpinContender(new QSpinLock()), QSpinMode.TestAndSet),
        Contender.Of("qspin-paravirt-stats", ContenderKind.QSpin, "QSpinLock, QSPIN_MODE=paravirt with QSPIN_STATS=1: the cost of counting lock events, and the events", () => new QSpinContender(new QSpinLock()), QSpinMode.Paravirt, stats: true),
        Contender.Of("lock", ContenderKind.DotNet, "System.Threading.Lock", () => new DotNetLockContender(new Lock())),
        Contender.Of("monitor", ContenderKind.DotNet, "Monitor (lock(object))", () => new MonitorContender(new object())),
        Contender.Of("spinlock", ContenderKind.DotNet, "System.Threading.SpinLock(enableThreadOwnerTracking: false)", () => new SpinLockContender(new SpinLockBox())),
        Contender.Of("ticket", ContenderKind.Reference, "textbook ticket lock (reference, Bench/ReferenceTicketLock.cs)", () => new TicketContender(new ReferenceTicketLock())),
        Contender.Of("mcs", ContenderKind.Reference, "textbook MCS queue lock (reference, Bench/ReferenceMcsLock.cs)", () => new McsContender(new ReferenceMcsLock())),
    ];

    /// <summary>Every contender name, comma-separated, for help and error messages.</summary>
    public static string Names => string.Join(", ", All.Select(c => c.Name));

    /// <summary>The contender with this name (case-insensitive), or null.</summary>
    public static Contender? Find(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}

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

/// <summary>How the measured loop calls the contender.</summary>
internal enum Dispatch
{
    /// <summary>Generic over the contender struct: Enter/Exit are inlined (the default).</summary>
    Struct,

    /// <summary>Through an <see cref="ILockContender"/> reference: one interface call per Enter and Exit (for measuring that cost).</summary>
    Interface,
}

/// <summary>Calls a boxed contender through the interface, so the loop pays interface dispatch.</summary>
internal readonly struct ViaInterface(ILockContender inner) : ILockContender
{
    public void Enter() => inner.Enter();
    public void Exit() => inner.Exit();
}
