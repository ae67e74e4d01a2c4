using QSpin;

namespace QSpin.TestHost;

/// <summary>Checked-mode scenarios (run with QSPIN_CHECKED=1). Each prints "checked=" and what it observed.</summary>
internal static class Checked
{
    public static int Run(string scenario)
    {
        string result = scenario switch
        {
            "aa" => Aa(),
            "wrong-owner" => WrongOwner(),
            "not-held" => NotHeld(),
            "held" => Held(),
            "cycle2" => Cycle(2),
            "cycle3" => Cycle(3),
            "no-cycle" => NoCycle(),
            "timeout" => Timeout(),
            "array-cycle2" => ArrayCycle(),
            "array-aa" => ArrayAa(),
            "array-wrong-owner" => ArrayWrongOwner(),
            _ => throw new ArgumentException($"unknown checked scenario '{scenario}'"),
        };
        Console.WriteLine("checked=" + result);
        return 0;
    }

    private static string Aa()
    {
        var l = new QSpinLock();
        l.Enter();
        try
        {
            l.Enter();
            return "no exception";
        }
        catch (LockRecursionException e)
        {
            bool tryFalse = !l.TryEnter(); // immediate TryEnter cannot deadlock: it just fails
            return $"LockRecursionException tryEnterFalse={tryFalse} message={e.Message}";
        }
        finally
        {
            l.Exit();
        }
    }

    private static string WrongOwner()
    {
        var l = new QSpinLock();
        l.Enter();
        string outcome = "no exception";
        var t = new Thread(() =>
        {
            try { l.Exit(); }
            catch (SynchronizationLockException e) { outcome = "SynchronizationLockException " + e.Message; }
        }) { Name = "intruder" };
        t.Start();
        t.Join();
        bool stillHeld = l.IsHeldByCurrentThread && l.IsLocked;
        l.Exit();
        return $"{outcome} stillHeld={stillHeld}";
    }

    private static string NotHeld()
    {
        var l = new QSpinLock();
        try
        {
            l.Exit();
            return "no exception";
        }
        catch (SynchronizationLockException e)
        {
            return "SynchronizationLockException " + e.Message;
        }
    }

    private static string Held()
    {
        var l = new QSpinLock();
        bool before = l.IsHeldByCurrentThread;
        bool during;
        bool otherThreadSees = true;
        using (l.EnterScope())
        {
            during = l.IsHeldByCurrentThread;
            var t = new Thread(() => otherThreadSees = l.IsHeldByCurrentThread);
            t.Start();
            t.Join();
        }
        bool after = l.IsHeldByCurrentThread;
        return $"before={before} during={during} other={otherThreadSees} after={after}";
    }

    /// <summary>n threads, n locks: thread i holds lock i and then wants lock i+1 (mod n).</summary>
    private static string Cycle(int n)
    {
        var locks = Enumerable.Range(0, n).Select(_ => new QSpinLock()).ToArray();
        using var allHold = new Barrier(n);
        int deadlocks = 0, completed = 0;
        string message = "";
        var threads = Enumerable.Range(0, n).Select(i => new Thread(() =>
        {
            try
            {
                using (locks[i].EnterScope())
                {
                    allHold.SignalAndWait();
                    using (locks[(i + 1) % n].EnterScope())
                    {
                        Interlocked.Increment(ref completed);
                    }
                }
            }
            catch (QSpinDeadlockException e)
            {
                Interlocked.Increment(ref deadlocks);
                message = $"{e.Message} locks={e.Locks.Count} threads={e.Threads.Count}";
            }
        }) { Name = $"T{i}", IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        foreach (var t in threads)
            if (!t.Join(TimeSpan.FromSeconds(60))) return "hang";
        return $"deadlocks={deadlocks} completed={completed} message={message}";
    }

    /// <summary>Two threads, two indices of one QSpinLockArray: thread i holds index i and then wants index 1-i.</summary>
    private static string ArrayCycle()
    {
        var locks = new QSpinLockArray(8);
        int[] index = [3, 5];
        using var allHold = new Barrier(2);
        int deadlocks = 0, completed = 0;
        string message = "";
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            try
            {
                using (locks.EnterScope(index[i]))
                {
                    allHold.SignalAndWait();
                    using (locks.EnterScope(index[1 - i]))
                    {
                        Interlocked.Increment(ref completed);
                    }
                }
            }
            catch (QSpinDeadlockException e)
            {
                Interlocked.Increment(ref deadlocks);
                message = $"{e.Message} locks={string.Join(",", e.Locks.Select(l => l is QSpinLockArray.Element el && el.Array == locks ? "element" + el.Index : "other"))} threads={e.Threads.Count}";
            }
        }) { Name = $"T{i}", IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        foreach (var t in threads)
            if (!t.Join(TimeSpan.FromSeconds(60))) return "hang";
        bool clean = !locks.IsLocked(3) && !locks.IsLocked(5);
        return $"deadlocks={deadlocks} completed={completed} clean={clean} message={message}";
    }

    private static string ArrayAa()
    {
        var locks = new QSpinLockArray(4);
        locks.Enter(1);
        try
        {
            bool otherIndexFree = locks.TryEnter(2); // a different index is a different lock
            if (otherIndexFree) locks.Exit(2);
            locks.Enter(1);
            return "no exception";
        }
        catch (LockRecursionException e)
        {
            return $"LockRecursionException message={e.Message}";
        }
        finally
        {
            locks.Exit(1);
        }
    }

    private static string ArrayWrongOwner()
    {
        var locks = QSpinLockArray.Padded(4);
        locks.Enter(0);
        string outcome = "no exception";
        var t = new Thread(() =>
        {
            try { locks.Exit(0); }
            catch (SynchronizationLockException e) { outcome = "SynchronizationLockException " + e.Message; }
        }) { Name = "intruder" };
        t.Start();
        t.Join();
        bool stillHeld = locks.IsHeldByCurrentThread(0) && locks.IsLocked(0) && !locks.IsHeldByCurrentThread(1);
        locks.Exit(0);
        string notHeld;
        try { locks.Exit(0); notHeld = "no exception"; }
        catch (SynchronizationLockException e) { notHeld = "SynchronizationLockException " + e.Message; }
        return $"{outcome} stillHeld={stillHeld} exitFree={notHeld}";
    }

    /// <summary>Long waits that are not deadlocks must not be reported.</summary>
    private static string NoCycle()
    {
        var a = new QSpinLock();
        var b = new QSpinLock();
        int errors = 0;
        a.Enter();
        var t = new Thread(() =>
        {
            try
            {
                using (b.EnterScope())
                using (a.EnterScope()) { }
            }
            catch (QSpinDeadlockException) { errors++; }
        });
        t.Start();
        Thread.Sleep(3 * CheckIntervalMs()); // several check intervals with a waiter but no cycle
        a.Exit();
        t.Join();
        return $"deadlocks={errors}";
    }

    private static string Timeout()
    {
        var l = new QSpinLock();
        l.Enter();
        bool got = true;
        var t = new Thread(() => got = l.TryEnter(50));
        t.Start();
        t.Join();
        l.Exit();
        return $"acquired={got}";
    }

    private static int CheckIntervalMs() =>
        int.TryParse(Environment.GetEnvironmentVariable("QSPIN_CHECKED_DEADLOCK_MS"), out int ms) ? ms : 1000;
}
