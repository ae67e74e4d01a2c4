using QSpin;

namespace QSpin.TestHost;

/// <summary>
/// Timed and cancelled acquisition through the public API, in this process's mode. Prints one line
/// "timed mode=M" and "name=ok" per check (or "FAIL: name: what"); outcomes only, never elapsed times.
/// </summary>
internal static class Timed
{
    public static int Run()
    {
        var checks = new Checks();
        checks.Run("times-out-clean", TimesOutAndLeavesTheWordClean);
        checks.Run("acquires-in-time", AcquiresWhenFreedInTime);
        if (QSpinOps.Mode != QSpinMode.TestAndSet) checks.Run("abandoned-keeps-order", AnAbandonedWaiterKeepsTheOthersInOrder);
        checks.Run("cancel-before", CancellationBeforeTheWaitThrows);
        checks.Run("cancel-during", CancellationDuringTheWaitThrowsAndLeaves);
        checks.Run("mass-timeouts-exact", MassTimeoutsKeepTheCountExact);
        return checks.Report($"timed mode={QSpinOps.Mode}");
    }

    /// <summary>Null when the lock is held with nobody waiting (no pending bit, no tail), else what is wrong.</summary>
    private static string? HeldAndClean(QSpinLock l, string when)
    {
        int w = Volatile.Read(ref l.Word);
        return (w & LockWord.LockedMask) != 0 && (w & (LockWord.TailMask | LockWord.PendingMask)) == 0 ? null : $"{when}: word 0x{w:x8}, expected locked with no pending bit and no tail";
    }

    private static bool OnThread(Func<bool> body)
    {
        bool result = false;
        var t = new Thread(() => result = body()) { IsBackground = true };
        t.Start();
        if (!t.Join(TimeSpan.FromSeconds(60))) throw new TimeoutException("a timed attempt never returned");
        return result;
    }

    private static string? TimesOutAndLeavesTheWordClean()
    {
        var l = new QSpinLock();
        l.Enter();
        if (OnThread(() => l.TryEnter(30))) return "TryEnter(30) acquired a held lock";
        if (HeldAndClean(l, "after the time-out") is { } problem) return problem;
        l.Exit();
        if (Volatile.Read(ref l.Word) != 0) return $"word 0x{l.Word:x8} after Exit";
        return OnThread(() => { bool got = l.TryEnter(TimeSpan.FromMilliseconds(10)); if (got) l.Exit(); return got; }) ? null : "a free lock timed out";
    }

    private static string? AcquiresWhenFreedInTime()
    {
        var l = new QSpinLock();
        l.Enter();
        bool got = false;
        var arrivals = new Arrivals(l);
        arrivals.Arrive("timed", () => { got = l.TryEnter(TimeSpan.FromSeconds(60)); if (got) l.Exit(); });
        l.Exit();
        arrivals.JoinAll();
        return got ? null : "a waiter with 60 s to go did not get the lock released under it";
    }

    /// <summary>A, then T (timed, 200 ms), then B queue; T gives up while queued; A and B acquire in order (native: P takes the pending bit first).</summary>
    private static string? AnAbandonedWaiterKeepsTheOthersInOrder()
    {
        var l = new QSpinLock();
        var order = new List<string>();
        bool? timedGot = null;
        l.Enter();
        var arrivals = new Arrivals(l);
        void Untimed(string name) => arrivals.Arrive(name, () => { l.Enter(); order.Add(name); l.Exit(); });
        if (QSpinOps.Mode == QSpinMode.Native) Untimed("P"); // the first contender takes the pending bit, outside the queue
        Untimed("A");
        arrivals.Arrive("T", () => { timedGot = l.TryEnter(200); if (timedGot == true) { order.Add("T"); l.Exit(); } });
        Untimed("B");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (timedGot is null && sw.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(5);
        if (timedGot != false) return $"the timed waiter {(timedGot is null ? "never gave up" : "acquired a held lock")}";
        l.Exit();
        arrivals.JoinAll();
        string expected = QSpinOps.Mode == QSpinMode.Native ? "P,A,B" : "A,B";
        string got = string.Join(",", order);
        if (got != expected) return $"order {got}, expected {expected}";
        return Volatile.Read(ref l.Word) == 0 ? null : $"word 0x{l.Word:x8} at the end";
    }

    private static string? CancellationBeforeTheWaitThrows()
    {
        var l = new QSpinLock();
        l.Enter();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        string? problem = null;
        try { l.Enter(cts.Token); problem = "Enter(cancelled token) acquired a held lock"; }
        catch (OperationCanceledException) { }
        problem ??= HeldAndClean(l, "after the cancelled Enter");
        l.Exit();
        return problem;
    }

    private static string? CancellationDuringTheWaitThrowsAndLeaves()
    {
        var l = new QSpinLock();
        l.Enter();
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var arrivals = new Arrivals(l);
        arrivals.Arrive("cancelled", () =>
        {
            try { l.Enter(cts.Token); l.Exit(); }
            catch (Exception e) { caught = e; }
        });
        Thread.Sleep(50); // a paravirt waiter parks by then: cancellation must wake it
        cts.Cancel();
        arrivals.JoinAll();
        if (caught is not OperationCanceledException) return $"expected OperationCanceledException, got {caught?.GetType().Name ?? "the lock"}";
        string? problem = HeldAndClean(l, "after the cancelled waiter left");
        l.Exit();
        return problem;
    }

    /// <summary>8 threads, a third of their acquisitions untimed and the rest with 0-2 ms to go: every attempt either acquires (counted inside the lock) or times out.</summary>
    private static string? MassTimeoutsKeepTheCountExact()
    {
        var l = new QSpinLock();
        const int threads = 8;
        int iterations = QSpinOps.Mode == QSpinMode.Native ? 200 : 1_000;
        long counter = 0, timedOut = 0;
        int violations = 0;
        bool held = false;
        var ts = Enumerable.Range(0, threads).Select(id => new Thread(() =>
        {
            var rnd = new Random(id);
            for (int i = 0; i < iterations; i++)
            {
                if (i % 3 != 0 && !l.TryEnter(rnd.Next(0, 3)))
                {
                    Interlocked.Increment(ref timedOut);
                    continue;
                }
                if (i % 3 == 0) l.Enter();
                if (held) violations++;
                held = true;
                counter++;
                Thread.SpinWait(50);
                held = false;
                l.Exit();
            }
        }) { IsBackground = true }).ToList();
        ts.ForEach(t => t.Start());
        foreach (var t in ts)
            if (!t.Join(TimeSpan.FromMinutes(3))) return $"hang, lock {l}";
        if (violations != 0) return $"{violations} threads found the lock held inside it";
        if (counter + timedOut != (long)threads * iterations) return $"acquired {counter} + timed out {timedOut} != {threads * iterations} attempts";
        return Volatile.Read(ref l.Word) == 0 ? null : $"word 0x{l.Word:x8} at the end";
    }
}
