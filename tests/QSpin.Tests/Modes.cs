using QSpin;

namespace QSpin.Tests;

/// <summary>Theory data and helpers to drive the real mode-specific entry points in this process.</summary>
public static class Modes
{
    public static TheoryData<QSpinMode> All => new() { QSpinMode.Native, QSpinMode.Paravirt, QSpinMode.TestAndSet };
    public static TheoryData<QSpinMode> Queued => new() { QSpinMode.Native, QSpinMode.Paravirt };

    public static void Enter(this QSpinLock l, QSpinMode mode) => l.EnterAs(mode);
    public static void Exit(this QSpinLock l, QSpinMode mode) => l.ExitAs(mode);

    public static void Enter(this QSpinLockArray a, int index, QSpinMode mode) => a.EnterAs(index, mode);
    public static void Exit(this QSpinLockArray a, int index, QSpinMode mode) => a.ExitAs(index, mode);

    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> fresh threads started together; rethrows the first failure.</summary>
    public static void RunThreads(int threads, Action<int> body)
    {
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);
        var ts = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            int id = i;
            ts[i] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    body(id);
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            }) { IsBackground = true, Name = $"worker {id}" };
            ts[i].Start();
        }
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        foreach (var t in ts)
        {
            TimeSpan left = TimeSpan.FromMinutes(3) - deadline.Elapsed;
            if (!t.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                throw new TimeoutException($"{t.Name} did not finish within 3 minutes: the lock lost a hand-off or a waiter. Errors so far: {errors.Count}");
        }
        if (!errors.IsEmpty) throw new AggregateException(errors);
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after a generous bound instead of hanging.</summary>
    public static void WaitUntil(Func<bool> condition, string what) => Poll.Until(condition, what);
}
