using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace QSpin.Benchmarks;

/// <summary>
/// One thread, no contention: what a lock/unlock pair costs when nobody else wants the lock.
/// Every benchmark runs <see cref="Ops"/> pairs per invocation; the reported time is per pair.
/// Between an unlock and the next lock runs <see cref="Work"/> steps of dependent arithmetic
/// (see <see cref="Burn"/>), so that the table shows both the back-to-back case, where a byte
/// unlock store is still in the store buffer when the next whole-word CAS reads the word, and the
/// case with a few nanoseconds of other work in between.
/// </summary>
/// <remarks>
/// The QSpin mode is fixed per process (<see cref="QSpinOps"/>), so each mode is its own
/// BenchmarkDotNet job with <c>QSPIN_MODE</c> set in the child process (see <see cref="BenchConfig"/>).
/// The other locks do not depend on the mode; they run in every job, which shows how much the same
/// code moves from one run to the next (BenchmarkDotNet gives every benchmark case processes of its own).
/// </remarks>
public class Uncontended
{
    /// <summary>Lock/unlock pairs per benchmark invocation.</summary>
    public const int Ops = 64;

    /// <summary>The name of the floor benchmark that the ratio columns divide by.</summary>
    public const string Floor = nameof(Floor_CasStoreInt);

    /// <summary>The name of the System.Threading.Lock benchmark that the ratio columns divide by.</summary>
    public const string LockReference = nameof(Lock_EnterExit);

    /// <summary>Dependent arithmetic steps between an unlock and the next lock (0: back to back).</summary>
    [Params(0, 12)]
    public int Work { get; set; }

    private QSpinLock _qspin = null!;
    private Lock _lock = null!;
    private object _monitor = null!;
    private SpinLockHolder _spinLock = null!;
    private Box _box = null!;
    private ulong _seed;

    /// <summary>A heap object whose int sits where <see cref="QSpinLock"/>'s word does (offset 8).</summary>
    private sealed class Box
    {
        public int Word;
    }

    [GlobalSetup]
    public void Setup()
    {
        // The mode is read once per process from QSPIN_MODE, so only a job that runs in its own process
        // with that variable set measures the mode it is named after. BenchmarkDotNet's in-process
        // toolchains ignore a job's environment variables (checked: an in-process job with
        // QSPIN_MODE=tas measured the host's mode), so refuse to run there.
        if (Program.IsHost)
            throw new InvalidOperationException(
                "These benchmarks cannot run in process: the QSpin mode is per process. Drop --inProcess; "
                + "each mode is an out-of-process job with QSPIN_MODE set (see BenchConfig).");
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(QSpinOps.EnvironmentVariable)))
            throw new InvalidOperationException(
                $"{QSpinOps.EnvironmentVariable} is not set in the benchmark process: run the jobs of BenchConfig.");
        Console.WriteLine($"// QSpin mode in this process: {QSpinOps.Mode} ({QSpinOps.Reason})");

        _qspin = new QSpinLock();
        _lock = new Lock();
        _monitor = new object();
        _spinLock = new SpinLockHolder();
        _box = new Box();
        _seed = (ulong)Environment.TickCount64 | 1;
    }

    /// <summary>
    /// <paramref name="steps"/> steps of a dependent multiply-add chain (about 4 cycles each). The result
    /// is returned by the benchmark, so the JIT cannot drop it, and nothing can be folded at compile time.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Burn(ulong x, int steps)
    {
        for (int i = 0; i < steps; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
        return x;
    }

    /// <summary>One lock/unlock pair, the thing measured; a struct so that <see cref="Run{T}"/> is compiled for each.</summary>
    private interface IPair
    {
        void EnterExit();
    }

    /// <summary>
    /// The loop every benchmark shares: <see cref="Ops"/> pairs, each followed by the work. The JIT
    /// compiles it once per pair type and inlines the pair, so the listing of <c>Run&lt;T&gt;</c> shows
    /// the lock and unlock instructions themselves.
    /// </summary>
    private ulong Run<T>(T pair) where T : struct, IPair
    {
        int work = Work;
        ulong x = _seed;
        for (int i = 0; i < Ops; i++)
        {
            pair.EnterExit();
            if (work != 0) x = Burn(x, work);
        }
        return x;
    }

    // ---- Floors: the cheapest possible lock on this machine, and the store-forwarding stall alone ----

    /// <summary>The floor: one CAS of the whole int (lock) and one store of the whole int (unlock).</summary>
    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Floor")]
    public ulong Floor_CasStoreInt() => Run(new CasStoreInt(_box));

    /// <summary>Informative: the same with a store of the low byte only, as the queued unlock does.</summary>
    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Floor")]
    public ulong Floor_CasStoreByte() => Run(new CasStoreByte(_box));

    /// <summary>The loop and the work alone, to subtract from the other rows.</summary>
    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Floor")]
    public ulong WorkOnly() => Run(default(Nothing));

    // ---- QSpin, in the mode of this job's process ----

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("QSpin")]
    public ulong QSpin_EnterExit() => Run(new QSpinEnterExit(_qspin));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("QSpin")]
    public ulong QSpin_TryEnterExit() => Run(new QSpinTryEnterExit(_qspin));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("QSpin")]
    public ulong QSpin_EnterScope() => Run(new QSpinEnterScope(_qspin));

    // ---- System.Threading.Lock ----

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Lock")]
    public ulong Lock_EnterExit() => Run(new LockEnterExit(_lock));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Lock")]
    public ulong Lock_EnterScope() => Run(new LockEnterScope(_lock));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Lock")]
    public ulong Lock_TryEnterExit() => Run(new LockTryEnterExit(_lock));

    // ---- Monitor ----

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Monitor")]
    public ulong Monitor_Lock() => Run(new MonitorLock(_monitor));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Monitor")]
    public ulong Monitor_TryEnterExit() => Run(new MonitorTryEnterExit(_monitor));

    // ---- SpinLock without owner tracking ----

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("SpinLock")]
    public ulong SpinLock_EnterExit() => Run(new SpinLockEnterExit(_spinLock));

    // ---- The pairs ----

    private readonly struct Nothing : IPair
    {
        public void EnterExit()
        {
        }
    }

    private readonly struct CasStoreInt(Box b) : IPair
    {
        public void EnterExit()
        {
            Interlocked.CompareExchange(ref b.Word, 1, 0);
            Volatile.Write(ref b.Word, 0);
        }
    }

    private readonly struct CasStoreByte(Box b) : IPair
    {
        public void EnterExit()
        {
            Interlocked.CompareExchange(ref b.Word, 1, 0);
            Volatile.Write(ref Unsafe.As<int, byte>(ref b.Word), 0);
        }
    }

    private readonly struct QSpinEnterExit(QSpinLock l) : IPair
    {
        public void EnterExit()
        {
            l.Enter();
            l.Exit();
        }
    }

    private readonly struct QSpinTryEnterExit(QSpinLock l) : IPair
    {
        public void EnterExit()
        {
            if (l.TryEnter()) l.Exit();
        }
    }

    private readonly struct QSpinEnterScope(QSpinLock l) : IPair
    {
        public void EnterExit()
        {
            using (l.EnterScope())
            {
            }
        }
    }

    private readonly struct LockEnterExit(Lock l) : IPair
    {
        public void EnterExit()
        {
            l.Enter();
            l.Exit();
        }
    }

    private readonly struct LockEnterScope(Lock l) : IPair
    {
        public void EnterExit()
        {
            using (l.EnterScope())
            {
            }
        }
    }

    private readonly struct LockTryEnterExit(Lock l) : IPair
    {
        public void EnterExit()
        {
            if (l.TryEnter()) l.Exit();
        }
    }

    private readonly struct MonitorLock(object o) : IPair
    {
        public void EnterExit()
        {
            lock (o)
            {
            }
        }
    }

    private readonly struct MonitorTryEnterExit(object o) : IPair
    {
        public void EnterExit()
        {
            if (Monitor.TryEnter(o)) Monitor.Exit(o);
        }
    }

    /// <summary>A SpinLock is a mutable struct: the pair holds its owner so that it works on the field itself.</summary>
    private readonly struct SpinLockEnterExit(SpinLockHolder h) : IPair
    {
        public void EnterExit()
        {
            bool taken = false;
            h.Lock.Enter(ref taken);
            h.Lock.Exit(useMemoryBarrier: false);
        }
    }

    /// <summary>Holds a SpinLock(false) in a heap object.</summary>
    private sealed class SpinLockHolder
    {
        public SpinLock Lock = new(enableThreadOwnerTracking: false);
    }
}
