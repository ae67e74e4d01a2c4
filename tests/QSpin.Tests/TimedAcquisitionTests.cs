using QSpin;

namespace QSpin.Tests;

/// <summary>
/// TryEnter with a timeout and Enter with a cancellation token, through the real timed entry point of
/// each mode. Outcomes are asserted, never elapsed times.
/// </summary>
public unsafe class TimedAcquisitionTests
{
    private static bool TryEnterFor(QSpinLock l, QSpinMode mode, int ms) =>
        l.TryEnter() || l.EnterAs(mode, Until.After(ms, default));

    private static void EnterWith(QSpinLock l, QSpinMode mode, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        if (!l.TryEnter() && !l.EnterAs(mode, new Until(long.MaxValue, token)))
            throw new OperationCanceledException(token);
    }

    /// <summary>A thread that makes one timed attempt and reports the outcome.</summary>
    private sealed class TimedAttempt
    {
        private readonly Thread _thread;
        public bool? Acquired;

        public TimedAttempt(QSpinLock l, QSpinMode mode, int ms, List<string> order, string name)
        {
            _thread = new Thread(() =>
            {
                bool got = TryEnterFor(l, mode, ms);
                if (got)
                {
                    lock (order) order.Add(name);
                    l.Exit(mode);
                }
                Acquired = got;
            }) { IsBackground = true, Name = name };
        }

        public TimedAttempt Start()
        {
            _thread.Start();
            return this;
        }

        public void Join()
        {
            if (!_thread.Join(TimeSpan.FromSeconds(60))) throw new TimeoutException(_thread.Name + " hung");
        }
    }

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void TimesOutWhileTheLockIsHeldAndLeavesTheWordClean(QSpinMode mode)
    {
        var l = new QSpinLock();
        l.Enter(mode);
        var order = new List<string>();
        var t = new TimedAttempt(l, mode, 30, order, "T").Start();
        t.Join();
        Assert.False(t.Acquired);
        Assert.Equal(LockWord.Locked, Volatile.Read(ref l.Word) & LockWord.LockedMask);
        Assert.Equal(0, Volatile.Read(ref l.Word) & (LockWord.TailMask | LockWord.PendingMask)); // it left no pending bit and no tail
        l.Exit(mode);
        Assert.Equal(0, Volatile.Read(ref l.Word));
        Assert.True(TryEnterFor(l, mode, 10));
        l.Exit(mode);
    }

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void AcquiresWhenTheLockComesFreeInTime(QSpinMode mode)
    {
        var l = new QSpinLock();
        l.Enter(mode);
        var order = new List<string>();
        var t = new TimedAttempt(l, mode, 60_000, order, "T").Start();
        Modes.WaitUntil(() => l.IsContended || mode == QSpinMode.TestAndSet, "T waiting");
        l.Exit(mode);
        t.Join();
        Assert.True(t.Acquired);
    }

    /// <summary>
    /// Untimed waiters queued before and after a timed one; the timed one gives up in the middle, at the
    /// tail, or as the queue head; everyone else acquires, in queue order.
    /// </summary>
    [Theory]
    [InlineData(QSpinMode.Native, "head")]
    [InlineData(QSpinMode.Native, "middle")]
    [InlineData(QSpinMode.Native, "tail")]
    [InlineData(QSpinMode.Paravirt, "head")]
    [InlineData(QSpinMode.Paravirt, "middle")]
    [InlineData(QSpinMode.Paravirt, "tail")]
    public void AbandonedWaiterLeavesTheOthersInOrder(QSpinMode mode, string position)
    {
        var l = new QSpinLock();
        var order = new List<string>();
        var workers = new List<Worker>();
        TimedAttempt? timed = null;
        l.Enter(mode);
        var arrivals = new ArrivalWatch(() => Volatile.Read(ref l.Word), mode);

        void Arrive(string name, bool isTimed)
        {
            if (isTimed) timed = new TimedAttempt(l, mode, 200, order, name).Start();
            else workers.Add(new Worker(l, mode, name, onAcquire: () => { lock (order) order.Add(name); }, exitAtOnce: true).Start());
            arrivals.WaitForNewArrival(name);
        }

        // In native mode the first contender takes the pending bit, outside the queue.
        if (mode == QSpinMode.Native) Arrive("P", isTimed: false);
        var names = position switch
        {
            "head" => new[] { "T", "A", "B" },
            "middle" => new[] { "A", "T", "B" },
            _ => new[] { "A", "B", "T" },
        };
        foreach (string n in names) Arrive(n, n == "T");

        timed!.Join(); // it gave up while queued
        Assert.False(timed.Acquired);
        l.Exit(mode);
        foreach (var w in workers) w.Join();

        var expected = (mode == QSpinMode.Native ? new[] { "P" } : []).Concat(names.Where(n => n != "T"));
        Assert.Equal(expected, order);
        Assert.Equal(0, Volatile.Read(ref l.Word));
    }

    [Theory]
    [MemberData(nameof(Modes.Queued), MemberType = typeof(Modes))]
    public void ANodeAbandonedAtTheTailIsReclaimedAndReusable(QSpinMode mode)
    {
        var l = new QSpinLock();
        l.Enter(mode);
        using var a = new Worker(l, mode, "A", exitAtOnce: true).Start();
        Modes.WaitUntil(() => l.IsContended, "A waiting");
        var arrivals = new ArrivalWatch(() => Volatile.Read(ref l.Word), mode);
        int abandonedTail = 0;
        var reuse = new Thread(() =>
        {
            // Give up at the tail, then (after the hand-over skipped the node) queue again and again.
            Assert.False(TryEnterFor(l, mode, 100));
            abandonedTail = ThreadSlots.Current()!.Slot;
        });
        reuse.Start();
        arrivals.WaitForNewArrival("the timed waiter");
        reuse.Join();
        l.Exit(mode);
        a.Join();
        Assert.Equal(0, Volatile.Read(ref l.Word)); // the abandoned tail was taken out of the queue
        for (int i = 0; i < LockWord.NodesPerThread; i++)
            Assert.NotEqual(Baton.Abandoned, Volatile.Read(ref ThreadSlots.NodeOf(abandonedTail, i)->Locked));
    }

    [Theory]
    [MemberData(nameof(Modes.Queued), MemberType = typeof(Modes))]
    public void AThreadKeepsWorkingAfterAbandoningAllItsNodes(QSpinMode mode)
    {
        // Each give-up while others stay queued ties up a node until a hand-over skips it; a thread
        // that runs out of nodes still acquires (outside the queue) and never corrupts the word.
        var l = new QSpinLock();
        l.Enter(mode);
        using var a = new Worker(l, mode, "A", exitAtOnce: true).Start();
        Modes.WaitUntil(() => l.IsContended, "A waiting");
        bool?[] results = new bool?[LockWord.NodesPerThread + 2];
        var t = new Thread(() =>
        {
            for (int i = 0; i < results.Length; i++) results[i] = TryEnterFor(l, mode, 20);
        });
        t.Start();
        t.Join();
        Assert.All(results, r => Assert.False(r));
        l.Exit(mode);
        a.Join();
        Assert.Equal(0, Volatile.Read(ref l.Word));
    }

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void CancellationBeforeTheWaitThrowsWithoutWaiting(QSpinMode mode)
    {
        var l = new QSpinLock();
        l.Enter(mode);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => EnterWith(l, mode, cts.Token));
        l.Exit(mode);
        Assert.Equal(0, Volatile.Read(ref l.Word));
    }

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void CancellationDuringTheWaitThrowsAndLeavesTheQueue(QSpinMode mode)
    {
        var l = new QSpinLock();
        l.Enter(mode);
        using var cts = new CancellationTokenSource();
        Exception? caught = null;
        var t = new Thread(() =>
        {
            try { EnterWith(l, mode, cts.Token); }
            catch (Exception e) { caught = e; }
        });
        t.Start();
        Modes.WaitUntil(() => l.IsContended || mode == QSpinMode.TestAndSet, "waiter queued");
        Thread.Sleep(mode == QSpinMode.Paravirt ? 50 : 5); // let a paravirt waiter park: cancellation must wake it
        cts.Cancel();
        Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a cancelled waiter did not wake up");
        Assert.IsType<OperationCanceledException>(caught);
        Assert.Equal(LockWord.Locked, Volatile.Read(ref l.Word) & LockWord.LockedMask);
        Assert.Equal(0, Volatile.Read(ref l.Word) & (LockWord.TailMask | LockWord.PendingMask));
        l.Exit(mode);
    }

    [Fact]
    public void PublicTimeoutArgumentsAreValidatedLikeSystemThreadingLock()
    {
        var l = new QSpinLock();
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => l.TryEnter(-2));
        Assert.Equal("millisecondsTimeout", e1.ParamName);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => l.TryEnter(TimeSpan.FromMilliseconds(-2)));
        Assert.Equal("timeout", e2.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => l.TryEnter(TimeSpan.FromDays(30)));
        Assert.True(l.TryEnter(0));
        Assert.False(l.TryEnter(0));
        Assert.False(l.TryEnter(TimeSpan.FromMilliseconds(10)));
        l.Exit();
        Assert.True(l.TryEnter(Timeout.InfiniteTimeSpan));
        l.Exit();
        using var cts = new CancellationTokenSource();
        l.Enter(cts.Token);
        l.Exit();
    }

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void MassTimeoutsUnderOversubscriptionKeepTheCountExact(QSpinMode mode)
    {
        var l = new QSpinLock();
        long counter = 0, acquired = 0, timedOut = 0;
        bool held = false;
        int iterations = mode == QSpinMode.Native ? 300 : 3_000;
        Modes.RunThreads(16, id =>
        {
            var rnd = new Random(id);
            for (int i = 0; i < iterations; i++)
            {
                bool got;
                if (i % 3 == 0) { l.Enter(mode); got = true; }
                else got = TryEnterFor(l, mode, rnd.Next(0, 3));
                if (!got)
                {
                    Interlocked.Increment(ref timedOut);
                    continue;
                }
                if (held) throw new InvalidOperationException("two threads inside the lock");
                held = true;
                counter++;
                acquired++;
                Thread.SpinWait(50);
                held = false;
                l.Exit(mode);
            }
        });
        Assert.Equal(acquired, counter);
        Assert.Equal(16L * iterations, acquired + timedOut);
        Assert.Equal(0, Volatile.Read(ref l.Word));
    }
}
