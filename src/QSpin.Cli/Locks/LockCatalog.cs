using QSpin.Cli.Bench;
using QSpin.Cli.Torture;

namespace QSpin.Cli.Locks;

/// <summary>Where a lock comes from, for tables and docs.</summary>
internal enum LockKind
{
    /// <summary>This project's lock.</summary>
    QSpin,

    /// <summary>A lock broken on purpose, to prove that the torture's checks can fail (BustedLocks.cs).</summary>
    Busted,

    /// <summary>A lock that ships with .NET.</summary>
    DotNet,

    /// <summary>A textbook lock written here as a yardstick (Reference*.cs).</summary>
    Reference,
}

/// <summary>
/// One lock the tools know, by the name their options take, and how each tool runs it: <see cref="Bench"/>
/// for <c>qspin bench --locks</c> (a struct-generic contender, in its own worker process), <see cref="Torture"/>
/// for <c>qspin torture --type</c> (a boxed <see cref="ITortureLockArray"/>, in this process's QSpin mode: a
/// single lock is an array of one). A lock that a tool does not run has null there.
/// </summary>
/// <param name="TortureNote">What <c>qspin torture --help</c> says about the lock after its name, if anything.</param>
/// <param name="InQSpinMode">The torture's lock is built on QSpin, in this process's QSPIN_MODE.</param>
internal sealed record CatalogLock(string Name, LockKind Kind, string Description, Contender? Bench, Func<ITortureLockArray>? Torture, string? TortureNote = null, bool InQSpinMode = false);

/// <summary>
/// The one registry of locks for <c>qspin bench</c> and <c>qspin torture</c>: which locks exist, what
/// each is, and which tool runs it. The bench runs each QSpin mode in its own worker process, so QSpin
/// appears once per mode (and once more with lock statistics on); the torture runs QSpin in whatever
/// mode its own process selected. Each tool lists its locks in this order.
/// </summary>
internal static class LockCatalog
{
    /// <summary>The torture's name for QSpinLock in this process's mode (its default <c>--type</c>).</summary>
    public const string QSpinInThisProcess = "qspin";

    public static readonly IReadOnlyList<CatalogLock> All =
    [
        TortureOnly(QSpinInThisProcess, LockKind.QSpin, "QSpinLock in whatever QSPIN_MODE this process selected", () => new QSpinTortureLock(), "in this process's QSPIN_MODE", inQSpinMode: true),
        Bench("qspin-native", LockKind.QSpin, "QSpinLock, QSPIN_MODE=native: FIFO MCS queue, pure spinning", () => new QSpinContender(new QSpinLock()), QSpinMode.Native),
        Bench("qspin-paravirt", LockKind.QSpin, "QSpinLock, QSPIN_MODE=paravirt: bounded spinning, parking, lock stealing", () => new QSpinContender(new QSpinLock()), QSpinMode.Paravirt),
        Bench("qspin-tas", LockKind.QSpin, "QSpinLock, QSPIN_MODE=tas: unfair test-and-set with back-off", () => new QSpinContender(new QSpinLock()), QSpinMode.TestAndSet),
        Bench("qspin-paravirt-stats", LockKind.QSpin, "QSpinLock, QSPIN_MODE=paravirt with QSPIN_STATS=1: the cost of counting lock events, and the events", () => new QSpinContender(new QSpinLock()), QSpinMode.Paravirt, stats: true),
        TortureOnly("busted", LockKind.Busted, "checks, then sets, without atomicity: lets two writers in", () => new BustedLock(), "broken on purpose: must FAIL"),
        TortureOnly("busted-unlock", LockKind.Busted, "a compare-and-swap lock whose unlock now and then does nothing", () => new BustedUnlockLock(), "unlock sometimes does nothing: the watchdog must FAIL it"),
        TortureOnly("array", LockKind.QSpin, $"QSpinLockArray({QSpinArrayTortureLock.DefaultLength}), dense, in this process's QSPIN_MODE; writers take random indices, index 0 hot", () => new QSpinArrayTortureLock(new QSpinLockArray(QSpinArrayTortureLock.DefaultLength)), $"{QSpinArrayTortureLock.DefaultLength} dense locks, index 0 hot, in this process's QSPIN_MODE", inQSpinMode: true),
        TortureOnly("array-padded", LockKind.QSpin, $"QSpinLockArray.Padded({QSpinArrayTortureLock.DefaultLength}) in this process's QSPIN_MODE; index 0 hot", () => new QSpinArrayTortureLock(QSpinLockArray.Padded(QSpinArrayTortureLock.DefaultLength)), "the same, one lock per cache line", inQSpinMode: true),
        TortureOnly("array-busted", LockKind.Busted, "a QSpinLockArray behind an index map that sends index 0 to two different locks", () => new BustedArrayTortureLock(new QSpinLockArray(QSpinArrayTortureLock.DefaultLength)), "two locks guard index 0: must FAIL", inQSpinMode: true),
        Bench("lock", LockKind.DotNet, "System.Threading.Lock", () => new DotNetLockContender(new Lock()), torture: () => new ThreadingTortureLock()),
        Bench("monitor", LockKind.DotNet, "Monitor (lock(object))", () => new MonitorContender(new object()), torture: () => new MonitorTortureLock()),
        Bench("spinlock", LockKind.DotNet, "System.Threading.SpinLock(enableThreadOwnerTracking: false)", () => new SpinLockContender(new SpinLockBox()), torture: () => new SpinLockTortureLock()),
        Bench("ticket", LockKind.Reference, "textbook ticket lock (reference, Locks/ReferenceTicketLock.cs)", () => new TicketContender(new ReferenceTicketLock())),
        Bench("mcs", LockKind.Reference, "textbook MCS queue lock (reference, Locks/ReferenceMcsLock.cs)", () => new McsContender(new ReferenceMcsLock())),
        // The striped workload (qspin bench --workload striped): a table of locks, one per bucket.
        Striped("qspin-array-native", "QSpinLockArray (dense, 4 B a lock), QSPIN_MODE=native", n => new QSpinArrayTable(new QSpinLockArray(n)), QSpinMode.Native),
        Striped("qspin-array-paravirt", "QSpinLockArray (dense, 4 B a lock), QSPIN_MODE=paravirt", n => new QSpinArrayTable(new QSpinLockArray(n)), QSpinMode.Paravirt),
        Striped("qspin-array-tas", "QSpinLockArray (dense, 4 B a lock), QSPIN_MODE=tas", n => new QSpinArrayTable(new QSpinLockArray(n)), QSpinMode.TestAndSet),
        Striped("qspin-array-padded-native", "QSpinLockArray.Padded (64 B a lock), QSPIN_MODE=native", n => new QSpinArrayTable(QSpinLockArray.Padded(n)), QSpinMode.Native),
        Striped("qspin-array-padded-paravirt", "QSpinLockArray.Padded (64 B a lock), QSPIN_MODE=paravirt", n => new QSpinArrayTable(QSpinLockArray.Padded(n)), QSpinMode.Paravirt),
        Striped("qspin-array-padded-tas", "QSpinLockArray.Padded (64 B a lock), QSPIN_MODE=tas", n => new QSpinArrayTable(QSpinLockArray.Padded(n)), QSpinMode.TestAndSet),
        Striped("lock-array", "Lock[]: one System.Threading.Lock per bucket", LockArrayTable.Create, kind: LockKind.DotNet),
        Striped("spinlock-array", "SpinLock[] (no owner tracking), taken in place", SpinLockArrayTable.Create, kind: LockKind.DotNet),
        Striped("monitor-array", "Monitor on object[]: one object per bucket", MonitorArrayTable.Create, kind: LockKind.DotNet),
    ];

    /// <summary>The locks <c>qspin bench</c> runs, as contenders.</summary>
    public static readonly IReadOnlyList<Contender> BenchContenders = [.. All.Where(l => l.Bench is not null).Select(l => l.Bench!)];

    /// <summary>The locks <c>qspin torture</c> runs.</summary>
    public static readonly IReadOnlyList<CatalogLock> TortureLocks = [.. All.Where(l => l.Torture is not null)];

    /// <summary>A lock the bench runs (and maybe the torture too).</summary>
    private static CatalogLock Bench<TLock>(string name, LockKind kind, string description, Func<TLock> create, QSpinMode? mode = null, bool stats = false, Func<ITortureLock>? torture = null)
        where TLock : struct, ILockContender =>
        new(name, kind, description, Contender.Of(name, kind, description, create, mode, stats), torture is null ? null : One(torture));

    /// <summary>A table of locks for the bench's striped workload.</summary>
    private static CatalogLock Striped<TTable>(string name, string description, Func<int, TTable> create, QSpinMode? mode = null, LockKind kind = LockKind.QSpin)
        where TTable : struct, ILockTableContender =>
        new(name, kind, description, Contender.Striped(name, kind, description, create, mode), null);

    /// <summary>A lock only the torture runs.</summary>
    private static CatalogLock TortureOnly(string name, LockKind kind, string description, Func<ITortureLock> create, string note, bool inQSpinMode = false) =>
        TortureOnly(name, kind, description, One(create), note, inQSpinMode);

    /// <summary>A lock array only the torture runs.</summary>
    private static CatalogLock TortureOnly(string name, LockKind kind, string description, Func<ITortureLockArray> create, string note, bool inQSpinMode = false) =>
        new(name, kind, description, null, create, note, inQSpinMode);

    /// <summary>A single lock, as the torture takes it: an array of one.</summary>
    private static Func<ITortureLockArray> One(Func<ITortureLock> create) => () => new SeparateTortureLocks([create()]);
}
