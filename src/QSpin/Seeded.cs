using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// The seeded bugs (<see cref="Mutant"/>), each named by what the broken lock does, so that the
/// algorithm reads <c>if (Seeded.ClaimsWithoutTailCheck) ...</c> at the one place the bug lives. All
/// false unless a test process turned test hooks on and selected the mutant: with hooks off each is a
/// <c>static readonly false</c> and the Tier-1 JIT folds the branch away.
/// </summary>
internal static class Seeded
{
    /// <summary><see cref="Mutant.UnlockWholeWord"/>: the native unlock stores 0 into the whole word.</summary>
    public static bool UnlockStoresWholeWord
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.UnlockWholeWord);
    }

    /// <summary><see cref="Mutant.NoPendingUndo"/>: a contender that lost the race for pending keeps the pending bit it set.</summary>
    public static bool KeepsLostPendingBit
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.NoPendingUndo);
    }

    /// <summary><see cref="Mutant.ClaimWithoutTailCheck"/>: the queue head claims without checking that it is still the tail.</summary>
    public static bool ClaimsWithoutTailCheck
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.ClaimWithoutTailCheck);
    }

    /// <summary><see cref="Mutant.ClaimTrustsFailedCas"/>: a failed claim CAS is taken as proof of a successor.</summary>
    public static bool TrustsFailedClaim
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.ClaimTrustsFailedCas);
    }

    /// <summary><see cref="Mutant.HandoffBeforeLink"/>: the head hands over without waiting for its successor to link.</summary>
    public static bool HandsOverBeforeLink
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.HandoffBeforeLink);
    }

    /// <summary><see cref="Mutant.HandOverToAbandoned"/>: a hand-over stores the baton even into a waiter that may have abandoned.</summary>
    public static bool HandsOverToAbandoned
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.HandOverToAbandoned);
    }

    /// <summary><see cref="Mutant.HeadAbortWithoutHandOver"/>: a queue head that gives up just leaves.</summary>
    public static bool HeadLeavesWithoutHandOver
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.HeadAbortWithoutHandOver);
    }

    /// <summary><see cref="Mutant.PvParkedBeforeRecord"/>: the paravirt head sets Parked before it records itself as the parked head.</summary>
    public static bool ParkedBeforeRecord
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.PvParkedBeforeRecord);
    }

    /// <summary><see cref="Mutant.PvUnlockNoKick"/>: the paravirt unlock's slow path releases without kicking the parked head.</summary>
    public static bool UnlockSkipsKick
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.PvUnlockNoKick);
    }

    /// <summary><see cref="Mutant.PvKeepsStaleRecord"/>: a paravirt head that takes Parked back leaves its record.</summary>
    public static bool KeepsStaleRecord
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.PvKeepsStaleRecord);
    }

    /// <summary><see cref="Mutant.PvTakeBeforeClaim"/>: the paravirt unlock takes the record before it claims Parked.</summary>
    public static bool TakesBeforeClaim
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.PvTakeBeforeClaim);
    }

    /// <summary><see cref="Mutant.PvUnlockReadsParkedFirst"/>: the paravirt unlock reads Parked before its release store.</summary>
    public static bool UnlockReadsParkedFirst
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.PvUnlockReadsParkedFirst);
    }

    /// <summary><see cref="Mutant.PvStealsWithByteCas"/>: a paravirt steal CASes the locked byte alone.</summary>
    public static bool StealsWithByteCas
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.PvStealsWithByteCas);
    }

    /// <summary><see cref="Mutant.PvStarvingHeadAllowsSteals"/>: a starving paravirt head clears Pending when it parks.</summary>
    public static bool StarvingHeadAllowsSteals
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.PvStarvingHeadAllowsSteals);
    }

    /// <summary><see cref="Mutant.PvHashHomeLineOnly"/>: the hash table's search stops at the home line.</summary>
    public static bool SearchesHomeLineOnly
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TestHooks.Is(Mutant.PvHashHomeLineOnly);
    }
}
