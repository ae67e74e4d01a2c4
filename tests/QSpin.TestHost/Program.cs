using System.Diagnostics;
using System.Runtime.CompilerServices;
using QSpin;

namespace QSpin.TestHost;

/// <summary>
/// Scenarios run in a child process, through the public API, in whatever mode QSPIN_MODE selected.
/// Prints one result line and exits 0 on success, 1 on a failed check, 2 on bad usage.
/// </summary>
public static class Program
{
    /// <summary>
    /// Runs one scenario, or several in turn separated by "+" (one process start for many checks, which
    /// matters under an emulator); the exit code is the worst of them.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0) return Usage();
        int worst = 0, start = 0;
        for (int i = 0; i <= args.Length; i++)
        {
            if (i < args.Length && args[i] != "+") continue;
            worst = Math.Max(worst, RunOne(args[start..i]));
            start = i + 1;
        }
        return worst;
    }

    private static int RunOne(string[] args)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "mode" => PrintMode(),
                "stress" => Stress(int.Parse(args[1]), int.Parse(args[2])),
                "array-stress" => ArrayStress(int.Parse(args[1]), int.Parse(args[2])),
                "fifo" => Fifo(int.Parse(args[1])),
                "disasm" => DriveToTier1(),
                "events" => Events.Run(args[1]),
                "checked" => Checked.Run(args[1]),
                "timed" => Timed.Run(),
                "platform" => Platform.Run(),
                "parkfail" => ParkFailure.Run(args[1]),
                _ => Usage(),
            };
        }
        catch (Exception e)
        {
            Console.WriteLine($"FAIL: {string.Join(' ', args)}: {e}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: QSpin.TestHost SCENARIO [+ SCENARIO]...; SCENARIO: mode | stress <threads> <iterations> | array-stress <threads> <iterations> | fifo <waiters> | disasm | events <scenario> | checked <scenario> | parkfail interrupt|throw | timed | platform");
        return 2;
    }

    private static int PrintMode()
    {
        Console.WriteLine($"mode={QSpinOps.Mode} reason={QSpinOps.Reason}");
        return 0;
    }

    /// <summary>
    /// Exclusion per index of a QSpinLockArray through the public API: random indices with a hot one,
    /// now and then a long hold so that paravirt heads park (records in the pv hash, kicks by address).
    /// </summary>
    private static int ArrayStress(int threads, int iterations)
    {
        const int length = 4, hot = 2;
        var a = new QSpinLockArray(length);
        var counters = new long[length];
        var inside = new bool[length];
        int violations = 0;
        long timedOut = 0;
        var ts = new Thread[threads];
        using var start = new Barrier(threads);
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            ts[t] = new Thread(() =>
            {
                var random = new Random(id);
                start.SignalAndWait();
                for (int k = 0; k < iterations; k++)
                {
                    int i = (k & 1) == 0 ? hot : random.Next(length);
                    if ((k & 15) == 0) { if (!a.TryEnter(i, 1)) { Interlocked.Increment(ref timedOut); continue; } }
                    else a.Enter(i);
                    if (inside[i]) violations++;
                    inside[i] = true;
                    long c = counters[i];
                    if (k % 200 == 0) Thread.Sleep(1);
                    else Thread.SpinWait(10);
                    counters[i] = c + 1;
                    inside[i] = false;
                    a.Exit(i);
                }
            }) { IsBackground = true };
            ts[t].Start();
        }
        foreach (var t in ts)
            if (!t.Join(TimeSpan.FromMinutes(3))) { Console.WriteLine($"FAIL: hang, {a.Describe(hot)}"); return 1; }
        long expected = (long)threads * iterations - timedOut;
        bool clean = Enumerable.Range(0, length).All(i => !a.IsLocked(i) && !a.IsContended(i));
        int records = HashedHeads.CountRecords();
        Console.WriteLine($"array mode={QSpinOps.Mode} counter={counters.Sum()} expected={expected} clean={clean} records={records} violations={violations}");
        return counters.Sum() == expected && violations == 0 && clean && records == 0 ? 0 : 1;
    }

    private static int Stress(int threads, int iterations)
    {
        var l = new QSpinLock();
        long counter = 0, tryEnters = 0;
        bool held = false;
        int violations = 0;
        var ts = new Thread[threads];
        using var start = new Barrier(threads);
        for (int i = 0; i < threads; i++)
        {
            ts[i] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int k = 0; k < iterations; k++)
                {
                    using (l.EnterScope())
                    {
                        if (held) violations++;
                        held = true;
                        long c = counter;
                        Thread.SpinWait(10);
                        counter = c + 1;
                        held = false;
                    }
                    if ((k & 7) == 0 && l.TryEnter())
                    {
                        if (held) violations++;
                        tryEnters++; // inside the lock: a plain increment is exact
                        l.Exit();
                    }
                }
            }) { IsBackground = true };
            ts[i].Start();
        }
        foreach (var t in ts)
            if (!t.Join(TimeSpan.FromMinutes(3))) { Console.WriteLine($"FAIL: hang, lock {l}"); return 1; }
        long expected = (long)threads * iterations;
        Console.WriteLine($"mode={QSpinOps.Mode} counter={counter} expected={expected} tryenters={tryEnters} violations={violations}");
        return counter == expected && violations == 0 && !l.IsLocked ? 0 : 1;
    }

    private static int Fifo(int waiters)
    {
        var l = new QSpinLock();
        var order = new List<int>();
        l.Enter();
        var arrivals = new Arrivals(l);
        for (int i = 0; i < waiters; i++)
        {
            int id = i;
            arrivals.Arrive($"waiter {id}", () =>
            {
                l.Enter();
                order.Add(id);
                l.Exit();
            });
        }
        l.Exit();
        arrivals.JoinAll();
        string got = string.Join(",", order);
        Console.WriteLine($"mode={QSpinOps.Mode} order={got}");
        return got == string.Join(",", Enumerable.Range(0, waiters)) ? 0 : 1;
    }

    // ---- Disassembly targets: tiny callers, as user code would call the lock. ----

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void CallExit(QSpinLock l) => l.Exit();

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void CallEnter(QSpinLock l) => l.Enter();

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool CallTryEnter(QSpinLock l) => l.TryEnter();

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void CallArrayExit(QSpinLockArray a, int i) => a.Exit(i);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void CallArrayEnter(QSpinLockArray a, int i) => a.Enter(i);

    /// <summary>Calls the targets until the tiered JIT has recompiled them at Tier-1 (run with DOTNET_JitDisasm).</summary>
    private static int DriveToTier1()
    {
        var l = new QSpinLock();
        var a = new QSpinLockArray(4);
        var sw = Stopwatch.StartNew();
        // Tier-0, then (with PGO) an instrumented tier, then Tier-1 after the call-counting delay:
        // keep calling, with pauses that let the background compiler run.
        while (sw.Elapsed < TimeSpan.FromSeconds(3))
        {
            for (int i = 0; i < 2_000; i++)
            {
                CallEnter(l);
                CallExit(l);
                if (CallTryEnter(l)) CallExit(l);
                CallArrayEnter(a, i & 3);
                CallArrayExit(a, i & 3);
            }
            Thread.Sleep(5);
        }
        Console.WriteLine($"mode={QSpinOps.Mode} driven");
        return 0;
    }
}
