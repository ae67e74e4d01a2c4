using QSpin;

namespace QSpin.Tests;

/// <summary>Mutual exclusion under stress: a plain, non-atomic counter updated inside the lock must end exact.</summary>
public class MutualExclusionTests
{
    // Native mode spins without parking: with more threads than cores every hand-off may wait for a
    // descheduled waiter, so its oversubscribed runs use fewer iterations (correctness, not speed).
    private static int Iterations(QSpinMode mode, int threads) =>
        mode == QSpinMode.Native && threads > Environment.ProcessorCount ? 300 : 20_000;

    [Theory]
    [MemberData(nameof(Cases))]
    public void CounterIsExact(QSpinMode mode, int threads)
    {
        var l = new QSpinLock();
        int iterations = Iterations(mode, threads);
        long counter = 0;
        // Two plain words that must always agree inside the lock.
        long a = 0, b = 0;
        Modes.RunThreads(threads, _ =>
        {
            for (int i = 0; i < iterations; i++)
            {
                l.Enter(mode);
                long c = counter;
                if (a != b) throw new InvalidOperationException("record torn: another thread is inside");
                a = c + 1;
                counter = c + 1;
                b = c + 1;
                l.Exit(mode);
            }
        });
        Assert.Equal((long)threads * iterations, counter);
        Assert.False(l.IsLocked);
        Assert.False(l.IsContended);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CounterIsExactWithTryEnterMixedIn(QSpinMode mode, int threads)
    {
        var l = new QSpinLock();
        int iterations = Iterations(mode, threads);
        long counter = 0;
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
                counter++;
                l.Exit(mode);
            }
        });
        int perThreadEnter = 0;
        for (int id = 0; id < threads; id++)
            for (int i = 0; i < iterations; i++)
                if ((i + id) % 3 != 0) perThreadEnter++;
        Assert.Equal(perThreadEnter + tried, counter);
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
