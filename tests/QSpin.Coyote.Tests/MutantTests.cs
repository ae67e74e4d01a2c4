using Xunit.Abstractions;

namespace QSpin.Coyote.Tests;

/// <summary>
/// The proof the scenarios have teeth: each seeded bug (<see cref="TestHooks.Mutant"/>) must be found
/// within the CI budget. The iteration that found it is printed (and listed in docs/verification.md).
/// </summary>
public class MutantTests(ITestOutputHelper output)
{
    /// <summary>Iterations a mutant may survive before the test fails (the clean runs use at most 2000).</summary>
    private const uint Budget = 3000;

    private void AssertCaught(Mutant mutant, Scenario scenario)
    {
        RunResult r = CoyoteRunner.Run(scenario, mutant, Budget, CoyoteRunner.Seed);
        output.WriteLine(r.Summary());
        Assert.True(r.FoundBug, $"mutant {mutant} survived {Budget} iterations of {scenario.Name} (seed {r.Seed})");
        output.WriteLine($"replay file: {CoyoteRunner.ReplayPath(scenario, mutant)}");
        // A hang Coyote cannot attribute (uncontrolled blocking) would be a harness problem, not the mutant.
        Assert.DoesNotContain("Potential deadlock", r.BugReport);
    }

    /// <summary>Unlock stores 0 into the whole word: erases pending and tail.</summary>
    [Fact]
    public void UnlockWholeWord() => AssertCaught(Mutant.UnlockWholeWord, Scenarios.Native3x2);

    /// <summary>A contender that lost the race for pending leaves its pending bit set.</summary>
    [Fact]
    public void NoPendingUndo() => AssertCaught(Mutant.NoPendingUndo, Scenarios.Native3x2);

    /// <summary>The queue head claims without checking that it is still the tail.</summary>
    [Theory]
    [InlineData(QSpinMode.Native)]
    [InlineData(QSpinMode.Paravirt)]
    public void ClaimWithoutTailCheck(QSpinMode mode) =>
        AssertCaught(Mutant.ClaimWithoutTailCheck, mode == QSpinMode.Native ? Scenarios.Native3x2 : Scenarios.Paravirt3x2);

    /// <summary>The head does not wait for its successor to link itself before handing over.</summary>
    [Theory]
    [InlineData(QSpinMode.Native)]
    [InlineData(QSpinMode.Paravirt)]
    public void HandoffBeforeLink(QSpinMode mode) =>
        AssertCaught(Mutant.HandoffBeforeLink, mode == QSpinMode.Native ? Scenarios.Native3x2 : Scenarios.Paravirt3x2);

    /// <summary>The pv unlock releases on the slow path but does not kick the parked head.</summary>
    [Fact]
    public void PvUnlockNoKick() => AssertCaught(Mutant.PvUnlockNoKick, Scenarios.Paravirt3x2Parking);

    /// <summary>A hand-over stores the baton into a waiter that gave up (abandoned nodes not skipped).</summary>
    [Theory]
    [InlineData(QSpinMode.Native)]
    [InlineData(QSpinMode.Paravirt)]
    public void HandOverToAbandoned(QSpinMode mode) =>
        AssertCaught(Mutant.HandOverToAbandoned, mode == QSpinMode.Native ? Scenarios.NativeAbort3x2 : Scenarios.ParavirtAbort3x2);

    /// <summary>A queue head that gives up leaves without passing its role on.</summary>
    [Theory]
    [InlineData(QSpinMode.Native)]
    [InlineData(QSpinMode.Paravirt)]
    public void HeadAbortWithoutHandOver(QSpinMode mode) =>
        AssertCaught(Mutant.HeadAbortWithoutHandOver, mode == QSpinMode.Native ? Scenarios.NativeAbort3x2 : Scenarios.ParavirtAbort3x2);

    /// <summary>The pv head sets Parked before it records itself as the lock's parked head: an unlock that claims it at once finds no record to kick.</summary>
    [Fact]
    public void PvParkedBeforeRecord() => AssertCaught(Mutant.PvParkedBeforeRecord, Scenarios.Paravirt3x2Parking);

    /// <summary>
    /// The pv unlock reads Parked before its release store: what the hardware may do to the real
    /// unlock's store and load (x64's store buffer, arm64), which the parking head's process-wide
    /// barrier rules out. Coyote's interleavings are sequentially consistent, so this mutant is that
    /// reordering written out: a head that sets Parked between the read and the store sleeps forever.
    /// </summary>
    [Fact]
    public void PvUnlockReadsParkedFirst() => AssertCaught(Mutant.PvUnlockReadsParkedFirst, Scenarios.Paravirt3x2Parking);

    /// <summary>A head past the steal window clears Pending when it parks: an arrival steals past it (the bound's scenario checks who took the lock after the head was starving).</summary>
    [Fact]
    public void PvStarvingHeadAllowsSteals() => AssertCaught(Mutant.PvStarvingHeadAllowsSteals, Scenarios.ParavirtStarvingHead);

    /// <summary>A steal CASes the locked byte alone after reading Pending clear: a head that sets Pending in between is bypassed (found by review).</summary>
    [Fact]
    public void PvStealsWithByteCas() => AssertCaught(Mutant.PvStealsWithByteCas, Scenarios.ParavirtStarvingHead);

    /// <summary>
    /// A queue head whose claim failed because a node-less contender set pending for a moment waits
    /// for a successor that never links (the kernel's reading of a failed claim).
    /// </summary>
    [Theory]
    [InlineData(NoNode.RegistryFull)]
    [InlineData(NoNode.Abandoned)]
    public void ClaimTrustsFailedCas(NoNode why) =>
        AssertCaught(Mutant.ClaimTrustsFailedCas, why == NoNode.RegistryFull ? Scenarios.NativeNoNodeRegistryFull : Scenarios.NativeNoNodeAbandoned);

    // ---- QSpinLockArray: the pv protocol with parked heads recorded in the pv hash (HashedHeads). ----

    /// <summary>The pv unlock releases on the slow path but does not kick the parked head, on two locks of an array.</summary>
    [Fact]
    public void PvUnlockNoKickOnArray() => AssertCaught(Mutant.PvUnlockNoKick, Scenarios.ArrayParavirtTwoLocks);

    /// <summary>The unlock takes the record before it claims Parked: a head that records itself in between is never kicked (lost wake-up).</summary>
    [Fact]
    public void PvTakeBeforeClaim() => AssertCaught(Mutant.PvTakeBeforeClaim, Scenarios.ArrayParavirtTwoLocks);

    /// <summary>Searches stop at the home line: a record placed past it after a collision is never taken, and its head never kicked.</summary>
    [Fact]
    public void PvHashHomeLineOnly() => AssertCaught(Mutant.PvHashHomeLineOnly, Scenarios.ArrayParavirtCollision);

    /// <summary>A head that takes its Parked bit back leaves its record: the table keeps a stale record.</summary>
    [Fact]
    public void PvKeepsStaleRecord() => AssertCaught(Mutant.PvKeepsStaleRecord, Scenarios.ArrayParavirtAbort);
}
