using QSpin;
using QSpin.Platform;

namespace QSpin.Tests;

/// <summary>
/// Each transition of the lock word, driven through the real lock code by real threads and observed
/// on the word: (tail, pending, locked).
/// </summary>
public unsafe class WordTransitionTests
{
    private static int Word(QSpinLock l) => Volatile.Read(ref l.Word);
    private static int Tail(QSpinLock l) => Word(l) & LockWord.TailMask;
    private static int LockedPending(QSpinLock l) => Word(l) & LockWord.LockedPendingMask;

    [Theory]
    [MemberData(nameof(Modes.All), MemberType = typeof(Modes))]
    public void FastPathTakesAndReleasesTheLockedByteOnly(QSpinMode mode)
    {
        var l = new QSpinLock();
        Assert.Equal(0, Word(l));
        l.Enter(mode);
        Assert.Equal(LockWord.Locked, Word(l));
        Assert.True(l.IsLocked);
        Assert.False(l.IsContended);
        Assert.False(l.TryEnter());
        l.Exit(mode);
        Assert.Equal(0, Word(l));
        Assert.True(l.TryEnter());
        Assert.Equal(LockWord.Locked, Word(l));
        l.Exit(mode);
        Assert.Equal(0, Word(l));
    }

    [Fact]
    public void NativeUnlockStoresOnlyTheLockedByte()
    {
        var l = new QSpinLock();
        l.Enter(QSpinMode.Native);
        // Simulate a queued tail and pending bit present while the owner unlocks.
        Interlocked.Or(ref l.Word, LockWord.EncodeTail(5, 1) | LockWord.Pending);
        l.Exit(QSpinMode.Native);
        Assert.Equal(LockWord.EncodeTail(5, 1) | LockWord.Pending, Word(l));
    }

    [Fact]
    public void NativeSecondContenderGoesPendingThenTakesTheLockAndClearsPending()
    {
        var l = new QSpinLock();
        l.Enter(QSpinMode.Native);
        using var a = new Worker(l, QSpinMode.Native, "A").Start();
        Modes.WaitUntil(() => Word(l) == (LockWord.Pending | LockWord.Locked), "A pending: (0,1,1)");
        Assert.True(l.IsContended);
        l.Exit(QSpinMode.Native);
        a.WaitHolding();
        Assert.Equal(LockWord.Locked, Word(l)); // (0,1,0) -> (0,0,1)
        a.Release();
        a.Join();
        Assert.Equal(0, Word(l));
    }

    /// <summary>Native: takes the lock, lets worker A go pending and worker B queue behind it; returns B's tail.</summary>
    private static int HoldWithAPendingAndBQueued(QSpinLock l, out Worker a, out Worker b)
    {
        l.Enter(QSpinMode.Native);
        a = new Worker(l, QSpinMode.Native, "A").Start();
        Modes.WaitUntil(() => Word(l) == (LockWord.Pending | LockWord.Locked), "A pending");
        var arrivals = new ArrivalWatch(() => Word(l), QSpinMode.Native);
        b = new Worker(l, QSpinMode.Native, "B").Start();
        arrivals.WaitForNewArrival("B");
        return Tail(l);
    }

    [Fact]
    public void NativeThirdContenderQueuesAndClaimsWhenLast()
    {
        var l = new QSpinLock();
        int tailB = HoldWithAPendingAndBQueued(l, out Worker startedA, out Worker startedB);
        using Worker a = startedA, b = startedB;
        Assert.Equal(0, LockWord.TailIndex(tailB));
        Assert.Equal(tailB | LockWord.Pending | LockWord.Locked, Word(l)); // (B,1,1)

        l.Exit(QSpinMode.Native);
        a.WaitHolding();
        Assert.Equal(tailB | LockWord.Locked, Word(l)); // pending hand-over: (B,0,1)
        Assert.False(b.IsHolding);

        a.Release();
        b.WaitHolding();
        Assert.Equal(LockWord.Locked, Word(l)); // head was the tail: (B,0,0) -> (0,0,1)
        b.Release();
        a.Join();
        b.Join();
        Assert.Equal(0, Word(l));
    }

    [Fact]
    public void NativeHeadWithSuccessorSetsLockedAndHandsTheBaton()
    {
        var l = new QSpinLock();
        int tailB = HoldWithAPendingAndBQueued(l, out Worker startedA, out Worker startedB);
        using Worker a = startedA, b = startedB;
        var arrivals = new ArrivalWatch(() => Word(l), QSpinMode.Native);
        using var c = new Worker(l, QSpinMode.Native, "C").Start();
        arrivals.WaitForNewArrival("C");
        int tailC = Tail(l);
        QNode* nodeB = ThreadSlots.Decode(tailB);
        Modes.WaitUntil(() => Volatile.Read(ref nodeB->Next) == (nint)ThreadSlots.Decode(tailC), "C linked behind B");

        l.Exit(QSpinMode.Native);
        a.WaitHolding();
        a.Release();
        b.WaitHolding();
        // B was not the tail: it set the locked byte and passed the baton to C. (C,0,1)
        Assert.Equal(tailC | LockWord.Locked, Word(l));
        Assert.Equal(1, Volatile.Read(ref ThreadSlots.Decode(tailC)->Locked));
        Assert.False(c.IsHolding);
        b.Release();
        c.WaitHolding();
        Assert.Equal(LockWord.Locked, Word(l)); // C claims as last
        c.Release();
        a.Join(); b.Join(); c.Join();
        Assert.Equal(0, Word(l));
    }

    private const int ParkedInWord = LockWord.ParkedBit << LockWord.PendingOffset;

    /// <summary>
    /// Waits until a paravirt queue head is parked: Parked in the pending byte, its record in the lock
    /// (PvHead names it) and its node hashed, all seen at once; returns its tail. Seen at once because
    /// a parked head wakes on its own at its steal window's end (or the 10 ms re-check) and takes its
    /// record back for a moment before it parks again.
    /// </summary>
    private static int WaitForParkedHead(QSpinLock l)
    {
        int tail = 0;
        Modes.WaitUntil(() =>
        {
            tail = Tail(l);
            return tail != 0 && (Word(l) & ParkedInWord) != 0 && Volatile.Read(ref l.PvHead) == tail
                && Volatile.Read(ref ThreadSlots.Decode(tail)->State) == PvState.Hashed;
        }, "head parked: Parked set, recorded, hashed");
        return tail;
    }

    [Fact]
    public void ParavirtHeadParksWithParkedAndIsKickedByTheUnlock()
    {
        var l = new QSpinLock();
        l.Enter(QSpinMode.Paravirt);
        using var a = new Worker(l, QSpinMode.Paravirt, "A").Start();
        // No pending path in pv mode: A queues directly, spins as head, then registers and parks.
        WaitForParkedHead(l);

        l.Exit(QSpinMode.Paravirt); // release, read Parked: claim it, take the record, kick A
        a.WaitHolding();
        Assert.Equal(0, Volatile.Read(ref l.PvHead));
        Assert.Equal(LockWord.Locked, Word(l)); // A claimed as last
        a.Release();
        a.Join();
        Assert.Equal(0, Word(l));
    }

    [Fact]
    public void ParavirtHeadWokenWithoutTheLockKeepsPendingWhileItParksAgain()
    {
        var l = new QSpinLock();
        l.Enter(QSpinMode.Paravirt);
        using var a = new Worker(l, QSpinMode.Paravirt, "A").Start();
        int tailA = WaitForParkedHead(l);

        // Wake A without releasing (as if the lock had been stolen while A woke up): A spins as head,
        // fails, and parks again, this time keeping pending so that the next release can only be A's.
        // (After the 1 ms steal window A would keep it anyway: the next test is about that alone.)
        SlotParking.Kick(LockWord.TailSlot(tailA));
        WaitForHeadKeepingPending(l, tailA);
        AssertNextOwnerIsTheParkedHead(l, a);
    }

    /// <summary>
    /// The fairness bound: a head parked with Pending clear wakes when it has been the head for the
    /// steal window (1 ms; at the latest the 10 ms re-check) and parks again keeping Pending, so no
    /// arrival takes the lock before it. Nobody kicks A here.
    /// </summary>
    [Fact]
    public void ParavirtHeadQueuedPastTheStealWindowKeepsPendingSoNobodyBypassesIt()
    {
        var l = new QSpinLock();
        l.Enter(QSpinMode.Paravirt);
        using var a = new Worker(l, QSpinMode.Paravirt, "A").Start();
        int tailA = WaitForParkedHead(l);
        WaitForHeadKeepingPending(l, tailA);
        AssertNextOwnerIsTheParkedHead(l, a);
    }

    private static void WaitForHeadKeepingPending(QSpinLock l, int tail) =>
        Modes.WaitUntil(() => (Word(l) & (LockWord.Pending | ParkedInWord)) == (LockWord.Pending | ParkedInWord)
            && Volatile.Read(ref ThreadSlots.Decode(tail)->State) == PvState.Hashed, "the head parked keeping pending");

    /// <summary>The lock is held and its head <paramref name="a"/> parked keeping Pending: an arrival queues behind it, and the release goes to the head.</summary>
    private static void AssertNextOwnerIsTheParkedHead(QSpinLock l, Worker a)
    {
        // An arrival cannot steal now: it sees pending and queues behind A.
        Assert.False(l.TryEnter());
        var arrivals = new ArrivalWatch(() => Word(l), QSpinMode.Paravirt);
        using var b = new Worker(l, QSpinMode.Paravirt, "B").Start();
        arrivals.WaitForNewArrival("B");

        l.Exit(QSpinMode.Paravirt); // release, claim Parked, kick A; pending stays, so only A can take it
        a.WaitHolding();
        Assert.False(b.IsHolding); // A took the lock by (*,Pending,0) -> (*,0,Locked); B, halted behind it, got Parked (and Pending, past the window) from A's hand-over
        a.Release();
        b.WaitHolding();
        b.Release();
        a.Join(); b.Join();
        Assert.Equal(0, Word(l));
    }

    /// <summary>
    /// A waiter parked behind the head is recorded, not woken, at the hand-over. Its steal window as
    /// head starts then, even if it queued long ago (<paramref name="queuedLongAgo"/>): the hand-over
    /// sets Parked for it and not Pending, so the lock stays usable while it wakes.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ParavirtWaiterBehindParkedHeadHaltsAndIsHashedAtHandOver(bool queuedLongAgo)
    {
        var l = new QSpinLock();
        l.Enter(QSpinMode.Paravirt);
        using var a = new Worker(l, QSpinMode.Paravirt, "A").Start();
        Modes.WaitUntil(() => (Word(l) & ParkedInWord) != 0, "A parked as head");
        var arrivals = new ArrivalWatch(() => Word(l), QSpinMode.Paravirt);
        using var b = new Worker(l, QSpinMode.Paravirt, "B").Start();
        arrivals.WaitForNewArrival("B");
        int tailB = Tail(l);
        // B sees its predecessor is not running and parks early, halted.
        Modes.WaitUntil(() => Volatile.Read(ref ThreadSlots.Decode(tailB)->State) == PvState.Halted, "B halted");
        if (queuedLongAgo) Thread.Sleep(Fairness.ParavirtStealWindow * 20); // a set-up wait, not a timing assertion

        l.Exit(QSpinMode.Paravirt);
        a.WaitHolding();
        // A handed B the baton; B was halted, so A marked it hashed, recorded it and set Parked
        // instead of waking it: the kick is deferred to A's unlock.
        Assert.Equal(PvState.Hashed, Volatile.Read(ref ThreadSlots.Decode(tailB)->State));
        Assert.Equal(tailB, Volatile.Read(ref l.PvHead));
        Assert.Equal(tailB | ParkedInWord | LockWord.Locked, Word(l));
        Assert.False(b.IsHolding);
        a.Release();
        b.WaitHolding();
        Assert.Equal(LockWord.Locked, Word(l));
        b.Release();
        a.Join(); b.Join();
        Assert.Equal(0, Word(l));
    }

    [Theory]
    [InlineData(QSpinMode.Native)]
    [InlineData(QSpinMode.Paravirt)]
    [InlineData(QSpinMode.TestAndSet)]
    public void ExitOfAFreeLockLeavesItFree(QSpinMode mode)
    {
        var l = new QSpinLock();
        l.Exit(mode);
        Assert.Equal(0, Word(l));
        l.Enter(mode);
        Assert.True(l.IsLocked);
        l.Exit(mode);
    }

    [Fact]
    public void TestAndSetNeverQueuesOrSetsPending()
    {
        var l = new QSpinLock();
        l.Enter(QSpinMode.TestAndSet);
        using var a = new Worker(l, QSpinMode.TestAndSet, "A").Start();
        using var b = new Worker(l, QSpinMode.TestAndSet, "B").Start();
        Thread.Sleep(50);
        Assert.Equal(LockWord.Locked, Word(l));
        Assert.False(l.IsContended);
        a.Release(); b.Release(); // each exits as soon as it holds; not FIFO: whichever wins first
        l.Exit(QSpinMode.TestAndSet);
        a.WaitHolding();
        b.WaitHolding();
        a.Join(); b.Join();
        Assert.Equal(0, Word(l));
    }
}
