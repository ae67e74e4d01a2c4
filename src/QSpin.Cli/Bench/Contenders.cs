using QSpin.Cli.Locks;

namespace QSpin.Cli.Bench;

/// <summary>
/// One named contender: how to build it and run the workload on it. Every contender runs in its own
/// worker process (<see cref="WorkerProcess"/>); <see cref="Mode"/> is the QSPIN_MODE that process gets.
/// </summary>
internal sealed record Contender(string Name, LockKind Kind, string Description, QSpinMode? Mode, Func<WorkloadSpec, Sample> Run, bool Stats = false, BenchWorkload Workload = BenchWorkload.Single)
{
    /// <summary>A contender whose lock handle is the struct <typeparamref name="TLock"/>, made fresh for each run.</summary>
    /// <param name="stats">Run the worker with QSPIN_STATS=1, so it counts and reports QSpin's lock events.</param>
    public static Contender Of<TLock>(string name, LockKind kind, string description, Func<TLock> create, QSpinMode? mode = null, bool stats = false)
        where TLock : struct, ILockContender
        => new(name, kind, description, mode, spec => spec.Dispatch == Dispatch.Interface
            ? Bench.Workload.Run(new ViaInterface(create()), spec)
            : Bench.Workload.Run(create(), spec), stats);

    /// <summary>A contender of the striped workload: <paramref name="create"/> makes a table of that many locks, fresh for each run.</summary>
    public static Contender Striped<TTable>(string name, LockKind kind, string description, Func<int, TTable> create, QSpinMode? mode = null)
        where TTable : struct, ILockTableContender
        => new(name, kind, description, mode, spec => StripedWorkload.Run(create, spec), Workload: BenchWorkload.Striped);
}

/// <summary>What <c>qspin bench</c> measures (<c>--workload</c>).</summary>
internal enum BenchWorkload
{
    /// <summary>Every thread takes one lock (<see cref="Bench.Workload"/>): the default.</summary>
    Single,

    /// <summary>Threads update a table of buckets, each under its bucket's lock (<see cref="StripedWorkload"/>).</summary>
    Striped,
}

/// <summary>The contenders <c>qspin bench</c> knows (<see cref="LockCatalog"/>), in the order tables and plots show them.</summary>
internal static class Contenders
{
    /// <summary>The contenders of the single-lock workload (the default).</summary>
    public static IReadOnlyList<Contender> All => For(BenchWorkload.Single);

    /// <summary>The contenders of the striped workload.</summary>
    public static IReadOnlyList<Contender> Striped => For(BenchWorkload.Striped);

    /// <summary>The contenders of <paramref name="workload"/>, in catalog order.</summary>
    public static IReadOnlyList<Contender> For(BenchWorkload workload) => [.. LockCatalog.BenchContenders.Where(c => c.Workload == workload)];

    /// <summary>Every contender name of <paramref name="workload"/>, comma-separated, for help and error messages.</summary>
    public static string NamesOf(BenchWorkload workload) => string.Join(", ", For(workload).Select(c => c.Name));

    /// <summary>Every contender name of the single-lock workload.</summary>
    public static string Names => NamesOf(BenchWorkload.Single);

    /// <summary>The contender with this name (case-insensitive) in either workload, or null.</summary>
    public static Contender? Find(string name) =>
        LockCatalog.BenchContenders.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
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
