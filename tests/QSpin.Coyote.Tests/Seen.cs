namespace QSpin.Coyote.Tests;

/// <summary>Names of the paths and states a run can reach (the <see cref="Stats"/> counters).</summary>
internal static class Seen
{
    // How each acquisition went (Coverage.EndAcquire and Scenario).
    public const string Fast = "acquired: fast path";
    public const string SlowUnqueued = "acquired: slow path without queueing (pending, or trylock before queueing)";
    public const string Queued = "acquired: through the queue";
    public const string Steal = "acquired: steal (no queueing)";
    public const string StealPastQueue = "acquired: steal past a queue";
    public const string StealAfterSpinUnqueued = "acquired: steal after spinning at a held lock while nobody queued";
    public const string TasSpin = "acquired: test-and-set spin";
    public const string TryEnterOk = "acquired: TryEnter succeeded";
    public const string TryEnterFailed = "TryEnter failed, then Enter";
    public const string GaveUp = "timed acquisition gave up (abandoned its place)";
    public const string TimedAcquired = "timed acquisition acquired";
    public const string NoNode = "acquired without a queue node (lock_no_node)";
    public const string ParkFailed = "futex wait: threw (injected)";
    public const string ParkFailureRethrown = "exception caught while parked, rethrown with the lock released";

    // Lock-word states sampled before atomic steps (Coverage.Sample), written (tail, pending, locked).
    public const string PendingBehindOwner = "word (0,1,1): pending waiter behind the owner";
    public const string PendingHandover = "word (0,1,0): pending hand-over";
    public const string Queue = "word (n,*,*): queue";
    public const string QueueAndPending = "word (n,1,*): queue and pending";
    public const string QueueLockFree = "word (n,0,0): queue, lock free";
    public const string Parked = "word (*,Parked,*): parked head recorded, the next unlock kicks it";
    public const string ParkedAndPending = "word (n,Pending+Parked,*): a head parked keeping Pending (woken before, or past the steal window)";
    public const string HeadRegistering = "PvHead set while the locked byte is 0 (head registering)";

    // The futex model (FutexModel); a sleeper's site is read from its node's pv state when it parks.
    public const string SiteNode = "waiter behind the head, pv_wait_node";
    public const string SiteHead = "queue head, pv_wait_head";
    public const string WaitCalls = "futex wait calls";
    public const string WaitValueDiffered = "futex wait: value differed, returned at once";
    public const string Spurious = "futex wait: spurious wake-up";
    public const string WakeCalls = "futex wake calls";
    public const string WakeNobody = "futex wake: nobody asleep";
    public const string SleptNode = "futex wait: slept (" + SiteNode + ")";
    public const string SleptHead = "futex wait: slept (" + SiteHead + ")";
    public const string WokeNode = "futex wake: woke a sleeper (" + SiteNode + ")";
    public const string WokeHead = "futex wake: woke a sleeper (" + SiteHead + ")";

    public static string Slept(string site) => "futex wait: slept (" + site + ")";

    public static string Woke(string site) => "futex wake: woke a sleeper (" + site + ")";
}
