using QSpin;

namespace QSpin.Tests;

/// <summary>Queued waiters acquire in the order they queued.</summary>
public class FifoTests
{
    [Theory]
    [MemberData(nameof(Modes.Queued), MemberType = typeof(Modes))]
    public void WaitersAcquireInQueueOrder(QSpinMode mode)
    {
        const int n = 8;
        var l = new QSpinLock();
        var order = new List<int>();
        var workers = new List<Worker>();
        l.Enter(mode);
        try
        {
            var arrivals = new ArrivalWatch(() => Volatile.Read(ref l.Word), mode);
            for (int i = 0; i < n; i++)
            {
                int id = i;
                workers.Add(new Worker(l, mode, $"W{id}", onAcquire: () => order.Add(id), exitAtOnce: true).Start());
                // Start the next thread only once this one is observed waiting: as the pending waiter
                // (native, first contender) or as the new tail of the queue.
                arrivals.WaitForNewArrival($"W{id}");
            }
        }
        finally
        {
            l.Exit(mode);
        }
        foreach (var w in workers) w.Join();
        Assert.Equal(Enumerable.Range(0, n), order);
        Assert.Equal(0, Volatile.Read(ref l.Word));
    }

    /// <summary>
    /// The same on one index of a <see cref="QSpinLockArray"/> whose neighbour index is held and
    /// released meanwhile by other threads: each index keeps its own queue, in its own order.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes.Queued), MemberType = typeof(Modes))]
    public void WaitersOfOneArrayIndexAcquireInQueueOrder(QSpinMode mode)
    {
        const int n = 8, index = 2, neighbour = 3;
        var a = new QSpinLockArray(4);
        var order = new List<int>();
        var threads = new List<Thread>();
        using var stop = new CancellationTokenSource();
        var noise = new Thread(() =>
        {
            while (!stop.IsCancellationRequested) { a.Enter(neighbour, mode); a.Exit(neighbour, mode); Thread.Yield(); }
        }) { IsBackground = true, Name = "neighbour" };
        noise.Start();
        a.Enter(index, mode);
        try
        {
            var arrivals = new ArrivalWatch(() => Volatile.Read(ref a.WordOf(index)), mode);
            for (int i = 0; i < n; i++)
            {
                int id = i;
                var t = new Thread(() =>
                {
                    a.Enter(index, mode);
                    order.Add(id);
                    a.Exit(index, mode);
                }) { IsBackground = true, Name = $"W{id}" };
                threads.Add(t);
                t.Start();
                arrivals.WaitForNewArrival($"W{id}");
            }
        }
        finally
        {
            a.Exit(index, mode);
        }
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(60)), $"{t.Name} never finished");
        stop.Cancel();
        Assert.True(noise.Join(TimeSpan.FromSeconds(60)));
        Assert.Equal(Enumerable.Range(0, n), order);
        Assert.Equal(0, Volatile.Read(ref a.WordOf(index)));
    }
}
