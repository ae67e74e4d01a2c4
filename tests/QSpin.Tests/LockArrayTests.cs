using System.Runtime.CompilerServices;
using QSpin;

namespace QSpin.Tests;

/// <summary>
/// <see cref="QSpinLockArray"/>: each index is a lock with <see cref="QSpinLock"/>'s semantics, through
/// the real code paths of each mode; the words live where the GC never moves them. FIFO order per index
/// is in <see cref="FifoTests"/>, checked mode in <see cref="CheckedModeTests"/>.
/// </summary>
public unsafe class LockArrayTests
{
    private static nuint AddressOf(QSpinLockArray a, int index) => (nuint)Unsafe.AsPointer(ref a.WordOf(index));

    /// <summary>Where the array object holding the words is now (read from the object, not from the cached pointer the locks use).</summary>
    private static nuint StorageAddress(QSpinLockArray a)
    {
        var words = (int[])typeof(QSpinLockArray).GetField("_words", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(a)!;
        return (nuint)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(words));
    }

    [Fact]
    public void BadLengthsAreRejectedNamingTheParameter()
    {
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => new QSpinLockArray(-1)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => QSpinLockArray.Padded(-1)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => QSpinLockArray.Padded(int.MaxValue));
        Assert.Equal("length", e.ParamName);
        Assert.Contains("at most", e.Message);
        Assert.Equal(0, new QSpinLockArray(0).Length);
        Assert.Equal(0, QSpinLockArray.Padded(0).Length);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void EveryMemberRejectsAnIndexOutOfRangeNamingIt(int index)
    {
        foreach (var a in new[] { new QSpinLockArray(3), QSpinLockArray.Padded(3) })
        {
            var calls = new Action[]
            {
                () => a.Enter(index),
                () => a.Enter(index, CancellationToken.None),
                () => a.TryEnter(index),
                () => a.TryEnter(index, 10),
                () => a.TryEnter(index, TimeSpan.FromMilliseconds(10)),
                () => a.Exit(index),
                () => a.EnterScope(index),
                () => a.IsLocked(index),
                () => a.IsContended(index),
                () => a.IsHeldByCurrentThread(index),
                () => a.Describe(index),
            };
            foreach (var call in calls)
            {
                var e = Assert.Throws<ArgumentOutOfRangeException>(call);
                Assert.Equal("index", e.ParamName);
                Assert.Contains("length, 3", e.Message);
            }
            for (int i = 0; i < 3; i++) Assert.False(a.IsLocked(i)); // nothing was taken on the way
        }
    }

    [Fact]
    public void BadTimeoutsAreRejectedLikeQSpinLocks()
    {
        var a = new QSpinLockArray(1);
        Assert.Equal("millisecondsTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => a.TryEnter(0, -2)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => a.TryEnter(0, TimeSpan.FromMilliseconds(-2))).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => a.TryEnter(0, TimeSpan.FromDays(30))).ParamName);
        Assert.False(a.IsLocked(0));
    }

    [Fact]
    public void DenseWordsAreFourBytesApartAndPaddedOnesOneCacheLineApartAndAligned()
    {
        var dense = new QSpinLockArray(5);
        var padded = QSpinLockArray.Padded(5);
        Assert.False(dense.IsPadded);
        Assert.True(padded.IsPadded);
        for (int i = 1; i < 5; i++)
        {
            Assert.Equal((nuint)4, AddressOf(dense, i) - AddressOf(dense, i - 1));
            Assert.Equal((nuint)64, AddressOf(padded, i) - AddressOf(padded, i - 1));
        }
        Assert.Equal((nuint)0, AddressOf(padded, 0) % 64);
    }

    [Fact]
    public void AMillionLocksCostFourMegabytesDenseAndSixtyFourPadded()
    {
        _ = new QSpinLockArray(1); // the process-wide table and type initialisation, not counted below
        long before = GC.GetAllocatedBytesForCurrentThread();
        var dense = new QSpinLockArray(1_000_000);
        long denseBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var padded = QSpinLockArray.Padded(1_000_000);
        long paddedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(denseBytes, 4_000_000, 4_000_000 + 1_024);
        Assert.InRange(paddedBytes, 64_000_000, 64_000_000 + 1_024);
        GC.KeepAlive(dense);
        GC.KeepAlive(padded);
    }

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void IndicesAreIndependentLocks(QSpinMode mode)
    {
        var a = new QSpinLockArray(3);
        a.Enter(1, mode);
        Assert.True(a.IsLocked(1));
        Assert.False(a.IsLocked(0));
        Assert.True(a.TryEnter(0));
        Assert.True(a.TryEnter(2));
        Assert.False(a.TryEnter(1));
        a.Exit(0, mode);
        a.Exit(2, mode);
        a.Exit(1, mode);
        for (int i = 0; i < 3; i++) Assert.Equal(0, Volatile.Read(ref a.WordOf(i)));
    }

    /// <summary>
    /// Writers take random indices of a small array, one of them hot, and update per-index plain
    /// counters and a per-index "inside" flag: two threads inside one index at once lose an update or
    /// see the flag. Every word ends 0 and the pv hash table holds no record.
    /// </summary>
    [Theory]
    [InlineData(QSpinMode.Native, false, 4)]
    [InlineData(QSpinMode.Paravirt, false, 4)]
    [InlineData(QSpinMode.Paravirt, true, 8)]
    [InlineData(QSpinMode.Paravirt, false, 16)]
    [InlineData(QSpinMode.TestAndSet, true, 4)]
    public void EachIndexExcludesUnderContention(QSpinMode mode, bool padded, int threads)
    {
        const int length = 8, hot = 5;
        int iterations = mode == QSpinMode.Native && threads > Environment.ProcessorCount ? 2_000 : 20_000;
        var a = padded ? QSpinLockArray.Padded(length) : new QSpinLockArray(length);
        var counters = new long[length];
        var inside = new bool[length];
        long acquired = 0;
        Modes.RunThreads(threads, id =>
        {
            var random = new Random(id);
            for (int n = 0; n < iterations; n++)
            {
                int i = random.Next(3) == 0 ? random.Next(length) : hot;
                bool timed = n % 7 == 0;
                if (timed) { if (!a.EnterAs(i, mode, Until.After(1, default))) continue; }
                else a.Enter(i, mode);
                if (inside[i]) throw new InvalidOperationException($"two threads inside index {i}");
                inside[i] = true;
                long c = counters[i];
                if (n % 500 == 0) Thread.Sleep(1); // now and then a long hold: paravirt heads park and are kicked
                else Thread.SpinWait(10);
                counters[i] = c + 1;
                inside[i] = false;
                a.Exit(i, mode);
                Interlocked.Increment(ref acquired);
            }
        });
        Assert.Equal(acquired, counters.Sum());
        for (int i = 0; i < length; i++) Assert.Equal(0, Volatile.Read(ref a.WordOf(i)));
        Assert.Equal(0, HashedHeads.CountRecords());
    }

    [Theory]
    [InlineData(QSpinMode.Native)]
    [InlineData(QSpinMode.Paravirt)]
    public void NothingMovesUnderCompactingCollections(QSpinMode mode)
    {
        const int length = 4;
        // Native waiters never park: more of them than cores would measure oversubscription, not moving.
        int threads = mode == QSpinMode.Native ? Math.Min(Environment.ProcessorCount, 4) : 6;
        var a = new QSpinLockArray(length);
        var addresses = Enumerable.Range(0, length).Select(i => AddressOf(a, i)).ToArray();
        nuint storage = StorageAddress(a);
        var counters = new long[length];
        long total = 0;
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            var garbage = new List<byte[]>();
            while (!stop.IsCancellationRequested)
            {
                for (int k = 0; k < 64; k++) garbage.Add(new byte[1024 * (k % 8 + 1)]); // something to compact
                garbage.RemoveRange(0, garbage.Count / 2);
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
        }) { IsBackground = true, Name = "collector" };
        collector.Start();
        try
        {
            const int iterations = 10_000;
            Modes.RunThreads(threads, id =>
            {
                for (int n = 0; n < iterations; n++)
                {
                    int i = (n + id) % length;
                    a.Enter(i, mode);
                    if (n % 500 == 0 && mode == QSpinMode.Paravirt) Thread.Sleep(1); // long holds: heads park during collections
                    counters[i]++;
                    a.Exit(i, mode);
                }
                Interlocked.Add(ref total, iterations);
            });
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        Assert.Equal(total, counters.Sum());
        Assert.Equal(addresses, Enumerable.Range(0, length).Select(i => AddressOf(a, i)));
        Assert.Equal(storage, StorageAddress(a)); // the words themselves did not move (the locks use a cached pointer to them)
        Assert.Equal(0, HashedHeads.CountRecords());
    }

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void ATimedWaitOnAHeldIndexTimesOutAndLeavesTheWordClean(QSpinMode mode)
    {
        var a = new QSpinLockArray(2);
        a.Enter(0, mode);
        bool? got = null;
        var t = new Thread(() => got = a.EnterAs(0, mode, Until.After(30, default)));
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(60)));
        Assert.False(got);
        Assert.Equal(LockWord.Locked, Volatile.Read(ref a.WordOf(0)));
        a.Exit(0, mode);
        Assert.True(a.EnterAs(0, mode, Until.After(10, default)));
        a.Exit(0, mode);
        Assert.Equal(0, Volatile.Read(ref a.WordOf(0)));
    }

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void CancellationDuringTheWaitThrowsAndLeavesTheQueue(QSpinMode mode)
    {
        var a = QSpinLockArray.Padded(2);
        a.Enter(1, mode);
        using var cts = new CancellationTokenSource();
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                if (!a.EnterAs(1, mode, new Until(long.MaxValue, cts.Token))) throw new OperationCanceledException(cts.Token);
            }
            catch (Exception e) { error = e; }
        });
        t.Start();
        if (mode != QSpinMode.TestAndSet) Modes.WaitUntil(() => a.IsContended(1), "the waiter queued");
        cts.Cancel();
        Assert.True(t.Join(TimeSpan.FromSeconds(60)));
        Assert.IsType<OperationCanceledException>(error);
        Assert.Equal(LockWord.Locked, Volatile.Read(ref a.WordOf(1)));
        a.Exit(1, mode);
        Assert.Throws<OperationCanceledException>(() => a.Enter(0, cts.Token)); // cancelled before the wait
        Assert.False(a.IsLocked(0));
    }

    [Theory]
    [InlineData(QSpinMode.Native)]
    [InlineData(QSpinMode.Paravirt)]
    [InlineData(QSpinMode.TestAndSet)]
    public void ExitOfAFreeIndexLeavesItFree(QSpinMode mode)
    {
        var a = new QSpinLockArray(2);
        a.Exit(1, mode);
        Assert.Equal(0, Volatile.Read(ref a.WordOf(1)));
        Assert.Equal(0, Volatile.Read(ref a.WordOf(0)));
    }

    [Fact]
    public void AScopeReleasesItsIndexOnce()
    {
        var a = new QSpinLockArray(2);
        var scope = a.EnterScope(1);
        Assert.True(a.IsLocked(1));
        scope.Dispose();
        scope.Dispose();
        Assert.False(a.IsLocked(1));
        Assert.Equal("QSpinLockArray[2]", a.ToString());
        Assert.Equal("QSpinLockArray[2] padded", QSpinLockArray.Padded(2).ToString());
    }

    /// <summary>The public timed and cancellable entry points on a held index, in the process's mode.</summary>
    [Fact]
    public void PublicTimedAndCancellableWaitsOnAHeldIndexGiveUpAndLeaveItClean()
    {
        var a = QSpinLockArray.Padded(3);
        a.Enter(1);
        bool? byMs = null, byTimeSpan = null, infinite = null;
        Exception? cancelled = null;
        using var cts = new CancellationTokenSource();
        var t = new Thread(() =>
        {
            byMs = a.TryEnter(1, 20);
            byTimeSpan = a.TryEnter(1, TimeSpan.FromMilliseconds(20));
            try { a.Enter(1, cts.Token); }
            catch (Exception e) { cancelled = e; }
            infinite = a.TryEnter(1, Timeout.Infinite);
            if (infinite == true) a.Exit(1);
        });
        t.Start();
        Modes.WaitUntil(() => byTimeSpan is not null && a.IsContended(1), "the cancellable waiter queued");
        cts.Cancel();
        Modes.WaitUntil(() => cancelled is not null, "the cancelled waiter left");
        a.Exit(1); // the infinite wait now gets it
        Assert.True(t.Join(TimeSpan.FromSeconds(60)));
        Assert.False(byMs);
        Assert.False(byTimeSpan);
        Assert.IsType<OperationCanceledException>(cancelled);
        Assert.True(infinite);
        Assert.Equal(0, Volatile.Read(ref a.WordOf(1)));
    }
}
