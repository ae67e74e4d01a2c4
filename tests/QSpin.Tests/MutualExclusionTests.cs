using QSpin;

namespace QSpin.Tests;

/// <summary>Mutual exclusion under stress: a plain, non-atomic counter updated inside the lock must end exact.</summary>
public class MutualExclusionTests
{
    // Native mode spins without parking: with more threads than cores every hand-off may wait for a
    // descheduled waiter, so its oversubscribed runs use fewer iterations (correctness, not speed).
    private static int Iterations(QSpinMode mode, int threads) =>
        mode == QSpinMode.Native && threads > Environment.ProcessorCount ? 1_000 : 50_000;

    /// <summary>
    /// The critical section: check nobody else is inside, then read-modify-write a plain counter
    /// with a short delay in between, so that two threads inside at once lose an update.
    /// </summary>
    private sealed class Shared
    {
        public long Counter;
        public bool Held;
        public long A, B;

        public void Critical()
        {
            if (Held) throw new InvalidOperationException("two threads inside the lock");
            Held = true;
            long c = Counter;
            if (A != B) throw new InvalidOperationException("record torn: another thread is inside");
            A = c + 1;
            Thread.SpinWait(20);
            Counter = c + 1;
            B = c + 1;
            Held = false;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CounterIsExact(QSpinMode mode, int threads)
    {
        var l = new QSpinLock();
        int iterations = Iterations(mode, threads);
        var shared = new Shared();
        Modes.RunThreads(threads, _ =>
        {
            for (int i = 0; i < iterations; i++)
            {
                l.Enter(mode);
                shared.Critical();
                l.Exit(mode);
            }
        });
        Assert.Equal((long)threads * iterations, shared.Counter);
        Assert.False(l.IsLocked);
        Assert.False(l.IsContended);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CounterIsExactWithTryEnterMixedIn(QSpinMode mode, int threads)
    {
        var l = new QSpinLock();
        int iterations = Iterations(mode, threads);
        var shared = new Shared();
        long tried = 0;
        Modes.RunThreads(threads, id =>
        {
            for (int i = 0; i < iterations; i++)
            {
                if ((i + id) % 3 == 0)
                {
                    if (!l.TryEnter()) continue;
                    tried++; // inside the lock: plain increment is safe
                }
                else
                {
                    l.Enter(mode);
                }
                shared.Critical();
                l.Exit(mode);
            }
        });
        int perThreadEnter = 0;
        for (int id = 0; id < threads; id++)
            for (int i = 0; i < iterations; i++)
                if ((i + id) % 3 != 0) perThreadEnter++;
        Assert.Equal(perThreadEnter + tried, shared.Counter);
        Assert.False(l.IsLocked);
    }

    public static TheoryData<QSpinMode, int> Cases()
    {
        var d = new TheoryData<QSpinMode, int>();
        foreach (var m in new[] { QSpinMode.Native, QSpinMode.Paravirt, QSpinMode.TestAndSet })
            foreach (var t in new[] { 2, 4, 16 })
                d.Add(m, t);
        return d;
    }
}
