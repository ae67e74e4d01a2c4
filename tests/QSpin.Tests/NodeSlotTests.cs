using QSpin;

namespace QSpin.Tests;

/// <summary>Per-thread node slots: recycled when threads exit; no slot still means a correct lock.</summary>
public class NodeSlotTests
{
    [Fact]
    public void TwentyThousandShortLivedThreadsRecycleSlotsAndCountExactly()
    {
        const int total = 20_000, batch = 40, perThread = 5;
        var l = new QSpinLock(); // this process's mode (auto: paravirt)
        long counter = 0;
        long recycledBefore = ThreadSlots.RecycledSlots;
        long noNodeBefore = ThreadSlots.NoNodeCount;
        for (int done = 0; done < total; done += batch)
        {
            // The lock is held while the batch starts, so every thread of the batch has to queue
            // (and so needs a slot) for its first acquisition.
            l.Enter();
            var threads = new Thread[batch];
            using var started = new CountdownEvent(batch);
            for (int i = 0; i < batch; i++)
            {
                threads[i] = new Thread(() =>
                {
                    started.Signal();
                    for (int k = 0; k < perThread; k++)
                    {
                        l.Enter();
                        counter++;
                        l.Exit();
                    }
                }) { IsBackground = true };
                threads[i].Start();
            }
            started.Wait();
            Modes.WaitUntil(() => l.IsContended, "batch queued");
            l.Exit();
            foreach (var t in threads) t.Join();
        }
        Assert.Equal((long)total * perThread, counter);
        Assert.True(ThreadSlots.RecycledSlots > recycledBefore, "slots of exited threads were never recycled");
        Assert.Equal(noNodeBefore, ThreadSlots.NoNodeCount); // every thread that queued got a node
        Assert.True(ThreadSlots.SlotsInUseHighWater < total / 2, $"slot high water {ThreadSlots.SlotsInUseHighWater}: slots are not being reused");
    }

    [Theory]
    [MemberData(nameof(Modes.Queued), MemberType = typeof(Modes))]
    public void ThreadsWithoutASlotStillGetTheLockCorrectly(QSpinMode mode)
    {
        int saved = ThreadSlots.SlotLimit;
        long noNodeBefore = ThreadSlots.NoNodeCount;
        ThreadSlots.SlotLimit = 2; // at most two slots in use: most of the threads below get none
        try
        {
            var l = new QSpinLock();
            long counter = 0;
            const int threads = 8, iterations = 2_000;
            using var arrived = new CountdownEvent(threads);
            // Hold the lock while the threads arrive, so that besides the pending waiter they all
            // need a node for their first acquisition.
            l.Enter(mode);
            Exception? failure = null;
            var run = new Thread(() =>
            {
                try
                {
                    Modes.RunThreads(threads, _ =>
            {
                arrived.Signal();
                for (int i = 0; i < iterations; i++)
                {
                    l.Enter(mode);
                    counter++;
                    l.Exit(mode);
                }
            });
                }
                catch (Exception e)
                {
                    failure = e;
                }
            });
            run.Start();
            arrived.Wait();
            Modes.WaitUntil(() => ThreadSlots.NoNodeCount > noNodeBefore, "a thread without a slot waiting");
            l.Exit(mode);
            run.Join();
            if (failure is not null) throw failure;
            Assert.Equal((long)threads * iterations, counter);
            Assert.True(ThreadSlots.NoNodeCount > noNodeBefore, "no thread took the no-node path");
        }
        finally
        {
            ThreadSlots.SlotLimit = saved;
        }
    }
}
