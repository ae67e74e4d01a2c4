using QSpin.Cli.Locks;

namespace QSpin.Cli.Bench;

/// <summary>
/// One named contender: how to build it and run the workload on it. Every contender runs in its own
/// worker process (<see cref="WorkerProcess"/>); <see cref="Mode"/> is the QSPIN_MODE that process gets.
/// </summary>
internal sealed record Contender(string Name, LockKind Kind, string Description, QSpinMode? Mode, Func<WorkloadSpec, Sample> Run, bool Stats = false)
{
    /// <summary>A contender whose lock handle is the struct <typeparamref name="TLock"/>, made fresh for each run.</summary>
    /// <param name="stats">Run the worker with QSPIN_STATS=1, so it counts and reports QSpin's lock events.</param>
    public static Contender Of<TLock>(string name, LockKind kind, string description, Func<TLock> create, QSpinMode? mode = null, bool stats = false)
        where TLock : struct, ILockContender
        => new(name, kind, description, mode, spec => spec.Dispatch == Dispatch.Interface
            ? Workload.Run(new ViaInterface(create()), spec)
            : Workload.Run(create(), spec), stats);
}

/// <summary>The contenders <c>qspin bench</c> knows (<see cref="LockCatalog"/>), in the order tables and plots show them.</summary>
internal static class Contenders
{
    public static IReadOnlyList<Contender> All => LockCatalog.BenchContenders;

    /// <summary>Every contender name, comma-separated, for help and error messages.</summary>
    public static string Names => string.Join(", ", All.Select(c => c.Name));

    /// <summary>The contender with this name (case-insensitive), or null.</summary>
    public static Contender? Find(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
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
