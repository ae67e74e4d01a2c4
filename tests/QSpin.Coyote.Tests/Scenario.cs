using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;

namespace QSpin.Coyote.Tests;

/// <summary>
/// One Coyote test: <see cref="Tasks"/> tasks each acquire one fresh lock <see cref="Rounds"/> times
/// through the real entry points of <see cref="Mode"/> (<see cref="QSpinLock.EnterAs"/> /
/// <see cref="QSpinLock.ExitAs"/>, or the same of a <see cref="QSpinLockArray"/> element), every other
/// acquisition trying TryEnter first. Inside, a plain counter is read, <see cref="HoldSteps"/> scheduling
/// points pass, and the counter is written, under an 'inside' flag: two owners at once fail
/// <see cref="Specification.Assert"/> at once, and a lost update fails the final count. Every task must
/// finish (Coyote reports a deadlock, or a scheduling-step bound hit, as a bug), and every lock must end
/// free with no parked thread and no parked head still recorded (its field, or the pv hash table).
/// </summary>
/// <param name="Name">Label for output and replay files.</param>
/// <param name="Mode">Which slow path and unlock to run.</param>
/// <param name="Tasks">Concurrent tasks (each on its own thread, so each has its own queue nodes).</param>
/// <param name="Rounds">Acquisitions per task.</param>
/// <param name="SpinThreshold">The pv spin bound before parking (real: 2^11); small so parking happens within a few steps.</param>
/// <param name="StealSpins">
/// Pauses a pv arrival spends trying to steal before it queues (real: the spin threshold); null: the
/// same as <see cref="SpinThreshold"/>. 0 makes an arrival try once and queue, so that queueing and
/// parking are reached in few iterations.
/// </param>
/// <param name="SpuriousOneIn">Futex spurious wake-ups: 0 off, n: probability 1/n each time a sleeper is scheduled.</param>
/// <param name="TryEnterMixed">Whether every other acquisition tries TryEnter first (falling back to Enter).</param>
/// <param name="HoldSteps">Scheduling points inside the critical section: more make owners hold longer, so waiters park more often.</param>
/// <param name="Aborts">
/// Task 0 acquires through the timed entry point, and an extra task "cancels" it at a point Coyote
/// chooses: it sets a flag that task 0's give-up checks read (<see cref="TestHooks.GiveUp"/>) and kicks
/// task 0's slot, as a real cancellation does. Task 0 then abandons its place wherever it is: pending,
/// at the head, in the middle, at the tail of the queue, or racing the hand-over to it.
/// </param>
/// <param name="ParkThrows">
/// Each futex wait throws with probability 1/3 (chosen by Coyote), as an unbindable native call would:
/// the lock must keep the waiter's place and rethrow from the entry point with the lock released.
/// (Interrupts are tested with real threads in tests/QSpin.Tests, ParkFailureTests: Coyote's rewriting
/// rethrows every <see cref="ThreadInterruptedException"/> from catch blocks, as it uses them itself.)
/// </param>
/// <param name="NoNodeTask">
/// The last task has no queue node, so it takes the lock outside the queue (the kernel's lock_no_node):
/// its thread either found the slot registry full or has all four of its nodes abandoned in queues.
/// </param>
/// <param name="ArrayLength">
/// 0: the tasks share one <see cref="QSpinLock"/>. n &gt; 0: a fresh <see cref="QSpinLockArray"/> of n
/// dense locks, task k taking lock k mod n; parked heads are then recorded in the process-wide pv hash
/// (<see cref="HashedHeads"/>), which is emptied before each iteration and must hold no record of
/// these locks at its end.
/// </param>
/// <param name="Collision">
/// Array only: before the tasks start, each lock's home line in the hash is filled with records of
/// other (fake) addresses (<see cref="HashedHeads.OccupyHomeLineForTesting"/>), so that every record of
/// these locks lands past its home line and every search must probe on to find it.
/// </param>
/// <param name="CancelRecordedHead">
/// With <see cref="Aborts"/>: the cancellation waits until task 0's node is recorded as a parked head
/// (its pv state Hashed: the head set Parked, or its predecessor recorded it while handing over),
/// or task 0 has finished. A registered head that gives up is rare at a random point.
/// </param>
/// <param name="HeadsStarve">
/// Paravirt: a steal window of 0 (<see cref="TestHooks.StealWindowTicks"/>), so every queued waiter is
/// past it at once and its head keeps Pending while it parks. The run then checks the fairness bound:
/// once a sample shows the lock free with Parked and a record naming a waiter, the next acquisition of
/// that lock is that waiter's (<see cref="Coverage.Acquired"/>). Not with <see cref="Aborts"/>: a head that gives up
/// drops Pending before the harness hears of it.
/// </param>
/// <param name="StealStall">
/// Extra scheduling points between a paravirt stealer's read of the word and its CAS
/// (<see cref="TestHooks.BetweenStealReadAndCas"/>): a stealer descheduled in that gap.
/// </param>
/// <param name="UnlockStall">
/// Extra scheduling points before each atomic step of a paravirt unlock after its release store
/// (<see cref="Preemption"/>): an owner descheduled between its release store, its read of Parked, its
/// claim and its take of the record, while a head gives up and its successor records itself.
/// </param>
internal sealed record Scenario(
    string Name,
    QSpinMode Mode,
    int Tasks,
    int Rounds,
    int SpinThreshold = 2,
    int SpuriousOneIn = 0,
    bool TryEnterMixed = true,
    int HoldSteps = 1,
    bool Aborts = false,
    int? StealSpins = null,
    NoNode NoNodeTask = NoNode.None,
    bool ParkThrows = false,
    int ArrayLength = 0,
    bool Collision = false,
    int UnlockStall = 0,
    bool HeadsStarve = false,
    int StealStall = 0,
    bool CancelRecordedHead = false)
{
    private sealed class Shared(int locks)
    {
        // Per lock: each lock has its own critical section.
        public readonly int[] Counter = new int[locks];
        public readonly bool[] Inside = new bool[locks];
        public readonly int[] Acquisitions = new int[locks];
        public volatile bool Cancelled;
        public volatile Thread? Abortable;
        public int AbortableSlot = -1;
        public volatile bool AbortableDone;
    }

    /// <summary>The Coyote test body (one iteration).</summary>
    public async Task RunOnce()
    {
        FutexModel.BeginIteration();
        Story.BeginIteration();
        (LockUnderTest[] locks, int fakeRecords) = CreateLocks();
        Coverage.Locks = locks;
        var shared = new Shared(locks.Length);

        TestHooks.GiveUp = Aborts ? () => shared.Cancelled && Thread.CurrentThread == shared.Abortable : null;
        var tasks = new Task[Tasks + (Aborts ? 1 : 0)];
        for (int k = 0; k < Tasks; k++)
        {
            int id = k;
            tasks[k] = Task.Run(() => Worker(locks[id % locks.Length], id % locks.Length, shared, id)); // synchronous body: stays on its own thread
        }
        if (Aborts) tasks[Tasks] = Task.Run(() => Canceller(shared));
        await Task.WhenAll(tasks); // the array overload: Coyote controls it
        TestHooks.GiveUp = null;

        for (int l = 0; l < locks.Length; l++)
        {
            int expected = Aborts || ParkThrows ? shared.Acquisitions[l] : TasksOn(l, locks.Length) * Rounds;
            Specification.Assert(shared.Counter[l] == expected, $"lost update on {locks[l].Name}: counter {shared.Counter[l]}, expected {expected}");
            Specification.Assert(locks[l].Word == 0, $"lock not free after all tasks finished: {locks[l].Describe()}");
            Specification.Assert(locks[l].RecordedHead == 0, $"a parked head is still registered: {locks[l].Describe()}");
        }
        if (ArrayLength > 0)
        {
            int records = CountHashRecords();
            Specification.Assert(records == fakeRecords,
                $"a stale record is left in the pv hash: {records} record(s), of which {fakeRecords} are the collision's fake ones");
        }
        Specification.Assert(FutexModel.Sleeping == 0, $"{FutexModel.Sleeping} thread(s) still asleep");
    }

    private int TasksOn(int lockIndex, int locks) => Tasks / locks + (lockIndex < Tasks % locks ? 1 : 0);

    /// <summary>
    /// The iteration's locks, and how many fake records the collision set-up put into the pv hash.
    /// The table is process-wide: emptied first, so that a record an earlier (failed) iteration or
    /// test left behind cannot pass for, or hide, one of this iteration's.
    /// </summary>
    private (LockUnderTest[] Locks, int FakeRecords) CreateLocks()
    {
        if (ArrayLength == 0)
        {
            if (Collision) throw new InvalidOperationException($"{Name}: a collision needs an array (ArrayLength > 0)");
            return ([new ObjectLock(new QSpinLock())], 0);
        }
        // Set-up, not part of the schedule: no scheduling points for the table's 32,768 entries.
        SchedulingPoint.Suppress();
        try
        {
            HashedHeads.ClearForTesting();
            var array = new QSpinLockArray(ArrayLength);
            var locks = new LockUnderTest[ArrayLength];
            for (int i = 0; i < ArrayLength; i++)
            {
                locks[i] = new ArrayElement(array, i);
                if (Collision) HashedHeads.OccupyHomeLineForTesting(ref array.WordOf(i));
            }
            return (locks, HashedHeads.CountRecords());
        }
        finally
        {
            SchedulingPoint.Resume();
        }
    }

    private static int CountHashRecords()
    {
        SchedulingPoint.Suppress();
        try
        {
            return HashedHeads.CountRecords();
        }
        finally
        {
            SchedulingPoint.Resume();
        }
    }

    /// <summary>Cancels task 0 at a point of Coyote's choosing: flag, then kick, as CancellationTokenSource.Cancel does through its registration.</summary>
    private unsafe void Canceller(Shared shared)
    {
        Story.SetTask(-1);
        while (Volatile.Read(ref shared.AbortableSlot) < 0) SchedulingPoint.Yield(); // task 0 has its slot
        if (CancelRecordedHead)
        {
            QNode* node = ThreadSlots.NodeOf(shared.AbortableSlot, 0); // plain reads: no scheduling points of their own
            while (node->State != PvState.Hashed && !shared.AbortableDone) SchedulingPoint.Yield();
        }
        SchedulingPoint.Interleave();
        Story.Line("cancels task 0");
        shared.Cancelled = true;
        SchedulingPoint.Interleave();
        SlotParking.Kick(shared.AbortableSlot);
    }

    private void Worker(LockUnderTest lck, int lockIndex, Shared shared, int id)
    {
        Story.SetTask(id);
        try
        {
            RunRounds(lck, lockIndex, shared, id);
        }
        catch (SynchronizationLockException e)
        {
            // A guard: outside checked mode the lock throws this no more (the paravirt unlock lost its
            // misuse check in issue 16). Should it, report it at once: left in the task, it would only
            // surface when Task.WhenAll completes, and a waiter it strands would be reported instead.
            Specification.Assert(false, $"task {id}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// <see cref="LockUnderTest.EnterAs(QSpinMode)"/>; false when the entry point rethrew the exception a park threw
    /// (the lock must then be free of us: the end checks and the other tasks show it).
    /// </summary>
    private bool Enter(LockUnderTest lck)
    {
        try
        {
            lck.EnterAs(Mode);
        }
        catch (InjectedParkFailure)
        {
            Stats.Count(Seen.ParkFailureRethrown);
            Story.Line("the park's exception was rethrown, lock not taken");
            return false;
        }
        return true;
    }

    /// <summary>
    /// The rounds of a task that has no node to queue with. Coyote reuses threads across iterations,
    /// so the thread's real nodes are taken away only for this task and given back afterwards.
    /// </summary>
    private unsafe void RunRoundsWithoutNode(LockUnderTest lck, int lockIndex, Shared shared, int id, int slot)
    {
        ThreadNodes? saved = null;
        SchedulingPoint.Suppress();
        try
        {
            if (NoNodeTask == NoNode.RegistryFull) saved = ThreadSlots.ReplaceCurrentForTesting(ThreadNodes.WithoutSlot());
            else for (int i = 0; i < LockWord.NodesPerThread; i++) ThreadSlots.NodeOf(slot, i)->Locked = Baton.Abandoned;
        }
        finally
        {
            SchedulingPoint.Resume();
        }
        try
        {
            long before = Interlocked.Read(ref ThreadSlots.NoNodeCount);
            AcquireRounds(lck, lockIndex, shared, id, slot);
            if (Interlocked.Read(ref ThreadSlots.NoNodeCount) != before) Stats.Count(Seen.NoNode);
        }
        finally
        {
            SchedulingPoint.Suppress();
            if (NoNodeTask == NoNode.RegistryFull) ThreadSlots.ReplaceCurrentForTesting(saved);
            else for (int i = 0; i < LockWord.NodesPerThread; i++) ThreadSlots.NodeOf(slot, i)->Locked = Baton.Reclaimed;
            SchedulingPoint.Resume();
        }
    }

    private void RunRounds(LockUnderTest lck, int lockIndex, Shared shared, int id)
    {
        // Take this thread's queue-node slot up front, with scheduling points suppressed: the slot
        // registry allocates under a System.Threading.Lock, which Coyote does not control, and a
        // rewritten Volatile.Write inside it would let Coyote switch to a thread that then blocks on
        // that lock for real. (Outside Coyote nothing preempts anything, so the library is fine.)
        // The lock's own slow path then finds the slot in its [ThreadStatic] and never registers.
        SchedulingPoint.Suppress();
        int slot;
        try
        {
            slot = ThreadSlots.Current()?.Slot ?? throw new InvalidOperationException("no queue-node slot for a test thread");
        }
        finally
        {
            SchedulingPoint.Resume();
        }
        if (NoNodeTask != NoNode.None && id == Tasks - 1)
        {
            RunRoundsWithoutNode(lck, lockIndex, shared, id, slot);
            return;
        }
        AcquireRounds(lck, lockIndex, shared, id, slot);
    }

    private void AcquireRounds(LockUnderTest lck, int lockIndex, Shared shared, int id, int slot)
    {
        bool timed = Aborts && id == 0;
        if (timed)
        {
            shared.Abortable = Thread.CurrentThread;
            Volatile.Write(ref shared.AbortableSlot, slot);
        }
        for (int i = 0; i < Rounds; i++)
        {
            Coverage.BeginAcquire(slot, lck);
            Story.Line($"acquiring (round {i})");
            if (timed)
            {
                if (!lck.EnterAs(Mode, new Until(long.MaxValue, default)))
                {
                    Stats.Count(Seen.GaveUp);
                    Story.Line("gave up");
                    continue;
                }
                Stats.Count(Seen.TimedAcquired);
                Coverage.EndAcquire(Mode, slot, lck);
            }
            else if (TryEnterMixed && (id + i) % 2 == 1)
            {
                if (lck.TryEnter())
                {
                    Stats.Count(Seen.TryEnterOk);
                }
                else
                {
                    Stats.Count(Seen.TryEnterFailed);
                    Coverage.BeginAcquire(slot, lck);
                    if (!Enter(lck)) continue;
                    Coverage.EndAcquire(Mode, slot, lck);
                }
            }
            else
            {
                if (!Enter(lck)) continue;
                Coverage.EndAcquire(Mode, slot, lck);
            }

            Story.Line("holds the lock");
            Coverage.Acquired(slot, lck);
            Specification.Assert(!shared.Inside[lockIndex], $"mutual exclusion violated: task {id} entered {lck.Name} while another task is inside");
            shared.Inside[lockIndex] = true;
            int c = shared.Counter[lockIndex];
            for (int h = 0; h < HoldSteps; h++) SchedulingPoint.Interleave();
            shared.Counter[lockIndex] = c + 1;
            shared.Acquisitions[lockIndex]++; // inside the lock: a plain increment is exact
            shared.Inside[lockIndex] = false;

            Story.Line("releasing");
            Preemption.BeginUnlock();
            lck.ExitAs(Mode);
            Preemption.EndUnlock();
            Story.Line("released");
        }
        if (timed) shared.AbortableDone = true; // a canceller still waiting for a recorded head stops waiting
    }
}

/// <summary>Why a scenario's last task has no queue node (<see cref="Scenario.NoNodeTask"/>).</summary>
public enum NoNode
{
    /// <summary>Every task has its nodes.</summary>
    None,
    /// <summary>The thread found the slot registry full (more queueing threads alive than slots).</summary>
    RegistryFull,
    /// <summary>All four of the thread's nodes are abandoned in queues, left by timed waits that gave up.</summary>
    Abandoned,
}

/// <summary>The exception a failing futex wait throws in <see cref="Scenario.ParkThrows"/> scenarios.</summary>
internal sealed class InjectedParkFailure() : Exception("injected failure of the platform wait");
