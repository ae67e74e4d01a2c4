using System.Text.Json;

namespace QSpin.Tests;

/// <summary>Lock-event counters, the QSpin meter and the QSpin event source, each scenario in a child process with stats on.</summary>
public class LockEventTests
{
    private static ChildProcess.Result Run(string mode, string scenario, bool stats = true) =>
        ChildProcess.Run("QSpin.TestHost", ["events", scenario],
            new Dictionary<string, string?> { ["QSPIN_MODE"] = mode, ["QSPIN_STATS"] = stats ? "1" : null });

    private static Dictionary<string, double> Events(string mode, string scenario, bool stats = true)
    {
        var r = Run(mode, scenario, stats);
        Assert.True(r.ExitCode == 0, r.Output);
        string line = r.Output.Split('\n').Single(l => l.StartsWith("events="));
        return JsonSerializer.Deserialize<Dictionary<string, double>>(line["events=".Length..])!;
    }

    private static readonly string[] KernelNames =
    [
        "lock_pending", "lock_slowpath", "lock_use_node2", "lock_use_node3", "lock_use_node4", "lock_no_node",
        "pv_hash_hops", "pv_kick_unlock", "pv_kick_wake", "pv_latency_kick", "pv_latency_wake", "pv_lock_stealing",
        "pv_spurious_wakeup", "pv_wait_again", "pv_wait_early", "pv_wait_head", "pv_wait_node", "fastpath",
    ];

    [Fact]
    public void SnapshotHasEveryKernelEventName()
    {
        var e = Events("native", "uncontended");
        foreach (string name in KernelNames) Assert.True(e.ContainsKey(name), $"missing {name}");
        Assert.Equal(10, e["fastpath"]);
        Assert.Equal(0, e["lock_pending"]);
    }

    [Fact]
    public void OneContenderTakesThePendingPath()
    {
        var e = Events("native", "one-contender");
        Assert.Equal(1, e["lock_pending"]);
        Assert.Equal(0, e["lock_slowpath"]);
        Assert.Equal(1, e["fastpath"]);
    }

    [Fact]
    public void ThreeContendersQueue()
    {
        var e = Events("native", "three-contenders");
        Assert.Equal(1, e["lock_pending"]);
        Assert.Equal(2, e["lock_slowpath"]);
        Assert.Equal(0, e["pv_wait_head"]); // native never parks
    }

    [Fact]
    public void ParavirtWithOversubscriptionWaitsAndKicks()
    {
        var e = Events("paravirt", "oversubscribed");
        Assert.True(e["pv_wait_head"] > 0, "no head parked");
        Assert.True(e["pv_kick_unlock"] > 0, "no unlock kicked");
        Assert.True(e["pv_wait_node"] > 0, "no waiter behind the head parked");
        Assert.True(e["pv_kick_wake"] > 0, "no kicked thread woke");
        Assert.True(e["pv_latency_wake"] > 0);
        Assert.True(e["pv_latency_kick"] > 0);
        Assert.InRange(e["pv_hash_hops"], 0.5, 2.0); // one probe per registration, by construction
        Assert.Equal(0, e["lock_pending"]); // pv mode has no pending path
    }

    [Fact]
    public void ParavirtThreeContendersParkAsHeadAndNode()
    {
        var e = Events("paravirt", "three-contenders");
        Assert.True(e["pv_wait_head"] >= 1);
        Assert.True(e["pv_wait_node"] >= 1);
        Assert.True(e["pv_kick_unlock"] >= 1);
        // Both waiters queued (the head and the waiter behind it parked), and the shared queue code
        // counts every acquisition that waits in the queue, in paravirt mode too.
        Assert.True(e["lock_slowpath"] >= 2, $"lock_slowpath {e["lock_slowpath"]}: queueing not counted in paravirt mode");
    }

    [Fact]
    public void TestAndSetCountsItsSpins()
    {
        var e = Events("tas", "three-contenders");
        Assert.True(e["tas_spin"] > 0);
        Assert.Equal(0, e["lock_slowpath"]);
    }

    [Fact]
    public void ResetStartsFromZero()
    {
        var e = Events("native", "reset");
        Assert.All(e, kv => Assert.Equal(0, kv.Value));
    }

    [Fact]
    public void StatsOffCountsNothing()
    {
        var e = Events("native", "three-contenders", stats: false);
        Assert.All(e, kv => Assert.Equal(0, kv.Value));
    }

    [Fact]
    public void MeterPublishesTheCounters()
    {
        var r = Run("native", "meter");
        Assert.True(r.ExitCode == 0, r.Output);
        string json = r.Output.Split('\n').Single(l => l.StartsWith("meter="))["meter=".Length..];
        var m = JsonSerializer.Deserialize<Dictionary<string, double>>(json)!;
        Assert.Equal(1, m["qspin.pending"]);
        Assert.Equal(2, m["qspin.slowpath"]);
        Assert.True(m.ContainsKey("qspin.pv.wait_node"));
        Assert.True(m.ContainsKey("qspin.pv.latency_wake"));
    }

    [Theory]
    [InlineData("native")]
    [InlineData("paravirt")]
    public void EventSourceRaisesContentionStartAndStop(string mode)
    {
        // Contention events do not need QSPIN_STATS: a listener turns them on.
        var r = Run(mode, "eventsource", stats: false);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("eventsource=start:3,stop:3,durationsPositive:True", r.Output);
        Assert.Contains("LockID=", r.Output);
        Assert.Contains("LockOwnerThreadID=", r.Output);
    }

    /// <summary>
    /// pv_hash_hops counts real probes of the QSpinLockArray's table: a head whose home line is free
    /// probes one entry per registration; one whose home line is full of other locks' records probes
    /// the 8 of it and one more. pv_hash_hops is probes per unlock kick. The head registers once, or
    /// twice when its 1 ms steal window ends before the unlock (it wakes then and registers again);
    /// and if the unlock comes while it is awake, nobody kicks it (no kick to count per): such runs
    /// are repeated, at most 10 times.
    /// </summary>
    [Theory]
    [InlineData("array-park", 1.0)]
    [InlineData("array-collision", 9.0)]
    public void ArrayHeadRegistrationsCountTheirHashProbes(string scenario, double probesPerRegistration)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var events = Events("paravirt", scenario);
            if (events["pv_kick_unlock"] != 1) continue; // the unlock found the head awake: no kick
            Assert.Contains(events["pv_hash_hops"], new[] { probesPerRegistration, 2 * probesPerRegistration });
            return;
        }
        Assert.Fail("in 10 runs the unlock never kicked the parked head");
    }
}
