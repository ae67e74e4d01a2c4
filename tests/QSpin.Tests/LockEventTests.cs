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
    /// the 8 of it and one more. One unlock kicks once, and pv_hash_hops is probes per kick. The head
    /// registers once, or twice when the unlock comes after its 1 ms steal window ended (it wakes then
    /// and registers again), so the count is one or two registrations' probes.
    /// </summary>
    [Fact]
    public void ArrayHeadRegistrationsCountTheirHashProbes()
    {
        var free = Events("paravirt", "array-park");
        Assert.Equal(1, free["pv_kick_unlock"]);
        Assert.Contains(free["pv_hash_hops"], new[] { 1.0, 2.0 });
        var collided = Events("paravirt", "array-collision");
        Assert.Equal(1, collided["pv_kick_unlock"]);
        Assert.Contains(collided["pv_hash_hops"], new[] { 9.0, 18.0 });
    }
}
