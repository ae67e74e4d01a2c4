using QSpin.Cli.Bench;

namespace QSpin.Cli.Locks;

/// <summary>
/// One lock under test, as the benchmark loop sees it: take it, release it.
/// </summary>
/// <remarks>
/// Implementations are small <c>readonly struct</c>s that wrap the lock object. The measured loop
/// (<see cref="Workload.Run{TLock}"/>) is generic over the contender with a <c>struct</c> constraint,
/// so the JIT compiles one copy of the loop per contender and inlines <see cref="Enter"/> and
/// <see cref="Exit"/> into it: no interface dispatch is measured. Calling through the interface
/// instead costs about one indirect call per operation, which docs/benchmarks.md measures with the
/// hidden <c>--dispatch interface</c> option. A new contender is one struct plus one line in
/// <see cref="LockCatalog.All"/>.
/// </remarks>
internal interface ILockContender
{
    /// <summary>Acquires the lock, waiting as long as necessary.</summary>
    void Enter();

    /// <summary>Releases the lock taken by the calling thread.</summary>
    void Exit();
}
