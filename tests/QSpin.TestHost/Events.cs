using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using System.Text.Json;
using QSpin;

namespace QSpin.TestHost;

/// <summary>
/// Scripted lock-event scenarios (run with QSPIN_STATS=1 and the mode under test). Each prints one line
/// "events=" + JSON of QSpinStats.Snapshot() taken after the scenario.
/// </summary>
internal static class Events
{
    public static int Run(string scenario)
    {
        QSpinStats.Reset();
        switch (scenario)
        {
            case "uncontended":
            {
                var l = new QSpinLock();
                for (int i = 0; i < 10; i++) { l.Enter(); l.Exit(); }
                break;
            }
            case "one-contender":
                Contenders(1);
                break;
            case "three-contenders":
                Contenders(3);
                break;
            case "oversubscribed":
                Oversubscribed();
                break;
            case "reset":
                Contenders(3);
                QSpinStats.Reset();
                break;
            case "array-park":
                ArrayHeadParks(collide: false);
                break;
            case "array-collision":
                ArrayHeadParks(collide: true);
                break;
            case "meter":
                return Meter();
            case "eventsource":
                return EventSourceEvents();
            default:
                Console.Error.WriteLine($"unknown events scenario '{scenario}'");
                return 2;
        }
        Print(QSpinStats.Snapshot());
        return 0;
    }

    private static void Print(IReadOnlyDictionary<string, double> snapshot) =>
        Console.WriteLine("events=" + JsonSerializer.Serialize(snapshot));

    /// <summary>
    /// One waiter on index 0 of a QSpinLockArray parks as queue head and is kicked by the unlock
    /// (paravirt). With <paramref name="collide"/>, the index's home line in the pv hash is first filled
    /// with records of other addresses, so the head's record lands past it and probes every entry.
    /// </summary>
    private static void ArrayHeadParks(bool collide)
    {
        var a = new QSpinLockArray(1);
        HashedHeads.ClearForTesting();
        if (collide) HashedHeads.OccupyHomeLineForTesting(ref a.WordOf(0));
        a.Enter(0);
        var waiter = new Thread(() => { a.Enter(0); a.Exit(0); }) { IsBackground = true, Name = "head" };
        waiter.Start();
        Poll.Until(() => (Volatile.Read(ref a.WordOf(0)) & (LockWord.ParkedBit << LockWord.PendingOffset)) != 0, "the head parked (Parked in the pending byte)", () => a.Describe(0));
        a.Exit(0);
        if (!waiter.Join(TimeSpan.FromSeconds(60))) throw new TimeoutException("the parked head was never kicked");
        HashedHeads.ClearForTesting();
    }

    /// <summary>The lock is held while <paramref name="n"/> threads arrive one after another, each seen waiting before the next starts.</summary>
    private static void Contenders(int n)
    {
        var l = new QSpinLock();
        var threads = new List<Thread>();
        l.Enter();
        var arrivals = QSpinOps.Mode == QSpinMode.TestAndSet ? null : new ArrivalWatch(() => Volatile.Read(ref l.Word), QSpinOps.Mode);
        for (int i = 0; i < n; i++)
        {
            var t = new Thread(() => { l.Enter(); l.Exit(); }) { IsBackground = true };
            threads.Add(t);
            t.Start();
            // Queued modes show each arrival in the word; test-and-set waiters leave no trace but
            // their back-off count.
            if (arrivals is not null)
                arrivals.WaitForNewArrival($"contender {i}");
            else if (!QSpinStats.Enabled)
                Thread.Sleep(20); // nothing to observe without stats; only the event counts are asserted then
            else
                Poll.Until(() => QSpinStats.Snapshot()["tas_spin"] > 0, "a test-and-set waiter spinning");
        }
        if (QSpinOps.Mode == QSpinMode.Paravirt && n > 1 && QSpinStats.Enabled)
        {
            // Let the paravirt waiters run out of spinning and park: the head and those behind it.
            Poll.Until(() => QSpinStats.Snapshot() is var s && s["pv_wait_head"] >= 1 && s["pv_wait_node"] >= n - 1, "pv waiters parked");
        }
        l.Exit();
        foreach (var t in threads) t.Join();
    }

    /// <summary>16 threads on this small machine with long-ish critical sections: waiters park.</summary>
    private static void Oversubscribed()
    {
        var l = new QSpinLock();
        long counter = 0;
        var threads = Enumerable.Range(0, 16).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                l.Enter();
                counter++;
                Thread.SpinWait(2_000);
                if (i % 20 == 0) Thread.Sleep(1); // a preempted holder: waiters run out of spinning
                l.Exit();
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (counter != 16 * 200) throw new InvalidOperationException($"counter {counter}");
    }

    private static int Meter()
    {
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == QSpinStats.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((inst, value, _, _) => { lock (seen) seen[inst.Name] = value; });
        listener.SetMeasurementEventCallback<double>((inst, value, _, _) => { lock (seen) seen[inst.Name] = value; });
        listener.Start();
        Contenders(3);
        listener.RecordObservableInstruments();
        Console.WriteLine("meter=" + JsonSerializer.Serialize(seen));
        return 0;
    }

    private static int EventSourceEvents()
    {
        using var listener = new ContentionListener();
        Contenders(3);
        Thread.Sleep(100);
        Console.WriteLine($"eventsource=start:{listener.Starts},stop:{listener.Stops},durationsPositive:{listener.DurationsPositive},payload:{listener.FirstStartPayload}");
        return 0;
    }

    private sealed class ContentionListener : EventListener
    {
        public int Starts, Stops;
        public bool DurationsPositive = true;
        public string FirstStartPayload = "";

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == QSpinStats.MeterName) EnableEvents(source, EventLevel.Informational, (EventKeywords)0x4000);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventSource.Name != QSpinStats.MeterName) return;
            if (e.EventName == "ContentionStart")
            {
                if (Interlocked.Increment(ref Starts) == 1)
                    FirstStartPayload = string.Join("|", e.PayloadNames!.Zip(e.Payload!, (n, v) => $"{n}={v}"));
            }
            else if (e.EventName == "ContentionStop")
            {
                Interlocked.Increment(ref Stops);
                if (e.Payload![2] is not double d || d <= 0) DurationsPositive = false;
            }
        }
    }
}
