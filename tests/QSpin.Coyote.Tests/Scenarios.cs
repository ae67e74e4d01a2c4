namespace QSpin.Coyote.Tests;

/// <summary>The scenarios the tests run, with the iteration budget and seed each runs with in CI.</summary>
internal static class Scenarios
{
    /// <summary>Native: 3 tasks make the third contender queue behind the pending waiter.</summary>
    public static readonly Scenario Native3x2 = new("native-3x2", QSpinMode.Native, Tasks: 3, Rounds: 2);

    /// <summary>Native: 2 tasks, 3 rounds: the pending path and its hand-over, many times per iteration.</summary>
    public static readonly Scenario Native2x3 = new("native-2x3", QSpinMode.Native, Tasks: 2, Rounds: 3);

    /// <summary>Native: 3 tasks, 3 rounds: longer queues and re-queueing.</summary>
    public static readonly Scenario Native3x3 = new("native-3x3", QSpinMode.Native, Tasks: 3, Rounds: 3);

    /// <summary>
    /// Paravirt: parking of the waiter behind the head and of the head, kicks, registration, steals. An
    /// arrival tries to steal once and then queues (StealSpins 0), so that queueing and parking come often.
    /// </summary>
    public static readonly Scenario Paravirt3x2 = new("paravirt-3x2", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 2, StealSpins: 0);

    /// <summary>
    /// Paravirt, parking-heavy: a spin bound of 1 and owners that hold the lock for 3 scheduling points,
    /// so heads park and register while the lock is still held (where the pv unlock's slow path runs).
    /// </summary>
    public static readonly Scenario Paravirt3x2Parking = new("paravirt-3x2-parking", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 1, HoldSteps: 3);

    /// <summary>
    /// Paravirt with a steal window of 0: every queued waiter is past it at once, so heads keep Pending
    /// while they park, and a parked successor gets Pending from the owner that records it. Arrivals
    /// steal (2 spins) and park-heavy owners hold for 3 points; the run checks that nobody takes the
    /// lock before a recorded parked waiter (<see cref="Scenario.HeadsStarve"/>). Stealers are stalled for 10
    /// points between their read of the word and their CAS, where a head may set Pending.
    /// </summary>
    public static readonly Scenario ParavirtStarvingHead = new("paravirt-3x2-starving-heads", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 1, HoldSteps: 3, StealSpins: 2, HeadsStarve: true, StealStall: 10);

    /// <summary>Paravirt with futex spurious wake-ups (1 in 3 each time a sleeper is scheduled); arrivals queue after one steal attempt.</summary>
    public static readonly Scenario Paravirt3x2Spurious = new("paravirt-3x2-spurious", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 2, SpuriousOneIn: 3, StealSpins: 0);

    /// <summary>Paravirt: 2 tasks, 3 rounds, owners holding for 3 steps: the head parks behind a lone owner, and an arrival spins stealing at a held lock with nobody queued.</summary>
    public static readonly Scenario Paravirt2x3 = new("paravirt-2x3", QSpinMode.Paravirt, Tasks: 2, Rounds: 3, SpinThreshold: 1, HoldSteps: 3);

    /// <summary>Native, with task 0's timed acquisitions cancelled at a point Coyote chooses (abortable queueing).</summary>
    public static readonly Scenario NativeAbort3x2 = new("native-abort-3x2", QSpinMode.Native, Tasks: 3, Rounds: 2, TryEnterMixed: false, HoldSteps: 2, Aborts: true);

    /// <summary>Paravirt, the same: abandoning while parked, as a registered head, racing a kick.</summary>
    public static readonly Scenario ParavirtAbort3x2 = new("paravirt-abort-3x2", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 1, TryEnterMixed: false, HoldSteps: 4, Aborts: true);

    /// <summary>Test-and-set.</summary>
    public static readonly Scenario TestAndSet3x2 = new("tas-3x2", QSpinMode.TestAndSet, Tasks: 3, Rounds: 2);

    /// <summary>
    /// Native, the last of 3 tasks without a queue node (its thread found the slot registry full): it
    /// takes the lock outside the queue, and may set pending for a moment while a queue head claims.
    /// </summary>
    public static readonly Scenario NativeNoNodeRegistryFull = new("native-3x2-nonode-full", QSpinMode.Native, Tasks: 3, Rounds: 2, NoNodeTask: NoNode.RegistryFull);

    /// <summary>Native, the same with the last task's four nodes all abandoned in queues (left by timed waits).</summary>
    public static readonly Scenario NativeNoNodeAbandoned = new("native-3x2-nonode-abandoned", QSpinMode.Native, Tasks: 3, Rounds: 2, NoNodeTask: NoNode.Abandoned);

    /// <summary>Paravirt, the last of 3 tasks without a queue node: it steals outside the queue while heads park and claim.</summary>
    public static readonly Scenario ParavirtNoNode = new("paravirt-3x2-nonode", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 1, HoldSteps: 2, StealSpins: 0, NoNodeTask: NoNode.RegistryFull);

    /// <summary>Paravirt, parking-heavy, with 1 in 3 futex waits throwing: each waiter keeps its place, and Enter rethrows with the lock released.</summary>
    public static readonly Scenario ParavirtParkThrows = new("paravirt-3x2-park-throws", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 1, HoldSteps: 3, StealSpins: 0, ParkThrows: true);

    // ---- QSpinLockArray elements: the same pv protocol, the parked head recorded in the pv hash (HashedHeads). ----

    /// <summary>
    /// Paravirt, parking-heavy, on two locks of one dense array at once (tasks 0, 2, 4 on lock 0; 1, 3
    /// on lock 1): neighbouring words, two records in the table at a time, each unlock finding its own.
    /// </summary>
    public static readonly Scenario ArrayParavirtTwoLocks = new("array-paravirt-5x2-two-locks", QSpinMode.Paravirt, Tasks: 5, Rounds: 2, SpinThreshold: 1, HoldSteps: 10, StealSpins: 0, ArrayLength: 2);

    /// <summary>
    /// Paravirt, parking-heavy, on one array lock whose home line in the hash is full of other
    /// addresses' records: every record of the lock is placed past its home line (a collision), and
    /// the unlock's take and a head's withdrawal must probe on to find it.
    /// </summary>
    public static readonly Scenario ArrayParavirtCollision = new("array-paravirt-3x2-collision", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 1, HoldSteps: 10, ArrayLength: 1, Collision: true);

    /// <summary>
    /// Paravirt on one array lock: task 0's timed acquisition is cancelled once its node is recorded as
    /// the parked head, and an owner's slow-path unlock is stalled (20 extra scheduling points per step),
    /// so that the head gives up while the unlock releases, reads Parked, claims it and takes the
    /// record, and its successor records itself meanwhile: every record must end in a take or the
    /// head's own withdrawal (<see cref="IParkedHeads.Withdraw"/>), or the table keeps it.
    /// </summary>
    public static readonly Scenario ArrayParavirtAbort = new("array-paravirt-abort-3x2", QSpinMode.Paravirt, Tasks: 3, Rounds: 2, SpinThreshold: 1, TryEnterMixed: false, HoldSteps: 3, Aborts: true, StealSpins: 0, ArrayLength: 1, CancelRecordedHead: true, UnlockStall: 20);
}
