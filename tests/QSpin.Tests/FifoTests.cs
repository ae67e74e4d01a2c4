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
}
