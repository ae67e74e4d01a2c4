using QSpin;

namespace QSpin.TestHost;

/// <summary>
/// A park that fails, with real threads (paravirt mode): the platform wait is replaced, through the
/// test hooks, by a monitor wait like the portable fallback's, so that <see cref="Thread.Interrupt"/>
/// makes it throw <see cref="ThreadInterruptedException"/> exactly as it would there; or it throws
/// another exception, as a native call that cannot be bound would. Four waiters queue one by one
/// behind a held lock and park; then the park fails for them, and the lock is released.
/// <list type="bullet">
/// <item><c>interrupt</c>: every parked waiter is interrupted. Each must keep its place (acquisition
/// order 0,1,2,3), and find the interrupt posted again on its thread once it holds the lock.</item>
/// <item><c>throw</c>: waiter 0's first park throws. Its Enter must throw that exception with the lock
/// not held (its retry then gets the lock), and waiters 1,2,3 must keep their order.</item>
/// </list>
/// The count of critical sections must be exact and the lock free at the end.
/// </summary>
internal static unsafe class ParkFailure
{
    private const int Waiters = 4;

    private sealed class InjectedFailure() : Exception("injected failure of the platform wait");

    private static readonly object s_gate = new();
    private static readonly HashSet<Thread> s_asleep = [];
    private static readonly HashSet<Thread> s_throwOnce = [];

    // A monitor wait on the word, like WaitOnAddress's portable fallback (interruptible the same way).
    private static void Wait(int* address, int expected)
    {
        lock (s_gate)
        {
            if (s_throwOnce.Remove(Thread.CurrentThread)) throw new InjectedFailure();
            if (Volatile.Read(ref *address) != expected) return;
            s_asleep.Add(Thread.CurrentThread);
            try
            {
                Monitor.Wait(s_gate, 1000); // bounded: a wake-up lost by the lock shows as a hang anyway
            }
            finally
            {
                s_asleep.Remove(Thread.CurrentThread);
            }
        }
    }

    // As the portable fallback's wake does: an owner whose interrupt was posted again after its
    // acquisition kicks from Exit, and entering a contended monitor would throw it there; deliver the
    // pulse, then post the interrupt again (seen once in CI, 2026-12-01).
    private static void Wake(nint address)
    {
        bool interrupted = false;
        while (true)
        {
            try
            {
                lock (s_gate) Monitor.PulseAll(s_gate);
                break;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }
        if (interrupted) Thread.CurrentThread.Interrupt();
    }

    public static int Run(string kind)
    {
        if (kind is not ("interrupt" or "throw")) throw new ArgumentException($"unknown parkfail scenario '{kind}' (interrupt, throw)");
        // Before any QSpin type initialises: TestHooks.Enabled is read once.
        AppContext.SetSwitch("QSpin.TestHooks", true);
        if (!TestHooks.Enabled) throw new InvalidOperationException("QSpin.TestHooks did not switch on");
        TestHooks.Wait = Wait;
        TestHooks.Wake = Wake;
        if (QSpinOps.Mode != QSpinMode.Paravirt) throw new InvalidOperationException("run with QSPIN_MODE=paravirt: only paravirt waiters park");

        var l = new QSpinLock();
        var order = new List<int>();
        var reposted = new bool[Waiters];
        var threw = new bool[Waiters];
        int inside = 0;
        long count = 0;
        var threads = new Thread[Waiters];

        l.Enter();
        var arrivals = new ArrivalWatch(() => Volatile.Read(ref l.Word), QSpinMode.Paravirt);
        for (int i = 0; i < Waiters; i++)
        {
            int id = i;
            threads[i] = new Thread(() =>
            {
                try
                {
                    l.Enter();
                }
                catch (InjectedFailure)
                {
                    threw[id] = true;
                    l.Enter(); // had the failed Enter kept the lock, this would wait for itself forever
                }
                if (Interlocked.Increment(ref inside) != 1) throw new InvalidOperationException("two owners");
                order.Add(id);
                count++;
                Interlocked.Decrement(ref inside);
                l.Exit();
                try
                {
                    Thread.Sleep(0); // throws at once if an interrupt is pending on this thread
                }
                catch (ThreadInterruptedException)
                {
                    reposted[id] = true;
                }
            }) { IsBackground = true, Name = "waiter " + id };
            if (kind == "throw" && id == 0) lock (s_gate) s_throwOnce.Add(threads[i]);
            threads[i].Start();
            arrivals.WaitForNewArrival($"waiter {id}");
        }

        if (kind == "interrupt")
        {
            // Every waiter asleep in the wait, then interrupted there.
            Poll.Until(() => { lock (s_gate) return s_asleep.Count == Waiters; }, "all waiters asleep", l.ToString);
            foreach (Thread t in threads) t.Interrupt();
        }
        else
        {
            // Waiter 0 (the head) hit its failing park and parked again; all sleep.
            Poll.Until(() => { lock (s_gate) return s_throwOnce.Count == 0 && s_asleep.Count == Waiters; }, "waiter 0's park threw, then all waiters asleep", l.ToString);
        }
        l.Exit();
        foreach (Thread t in threads)
            if (!t.Join(TimeSpan.FromSeconds(60))) { Console.WriteLine($"FAIL: {t.Name} never finished, lock {l}"); return 1; }

        string got = string.Join(",", order);
        // After its Enter threw, waiter 0 arrives again and may steal: the queue's order is 1,2,3.
        string want = kind == "interrupt" ? "0,1,2,3" : "1,2,3";
        Console.WriteLine($"mode={QSpinOps.Mode} kind={kind} order={got} count={count} reposted={string.Join(",", reposted)} threw={string.Join(",", threw)} lock={l}");
        bool ok = (kind == "interrupt" ? got : string.Join(",", order.Where(id => id != 0))) == want && count == Waiters && !l.IsLocked && !l.IsContended
            && (kind == "interrupt" ? reposted.All(r => r) && !threw.Any(t => t) : threw[0] && !threw.Skip(1).Any(t => t) && !reposted.Any(r => r));
        return ok ? 0 : 1;
    }
}
