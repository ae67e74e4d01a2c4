namespace QSpin.Cli.Locks;

/// <summary>
/// <c>--type array</c> and <c>array-padded</c>: a small <see cref="QSpinLockArray"/> in whatever mode this
/// process selected. Dense, the 16 words share one or two cache lines, so a release's byte store and
/// a neighbour's CAS hit the same line all the time; a store that clobbered a neighbour would show as
/// a second writer inside or a hang.
/// </summary>
internal sealed class QSpinArrayTortureLock(QSpinLockArray locks) : ITortureLockArray
{
    /// <summary>Locks per torture array: one cache line of dense words.</summary>
    public const int DefaultLength = 16;

    public int Length => locks.Length;

    public void Enter(int index) => locks.Enter(index);

    public void Exit(int index) => locks.Exit(index);

    public string Describe(int index) => locks.Describe(index) + (index == 0 ? $" ({locks})" : "");

    public string? CheckIdle()
    {
        for (int i = 0; i < locks.Length; i++)
        {
            // As for QSpinLock: a stale pending bit or tail would make the next Enter wait for nobody.
            int word = Volatile.Read(ref locks.WordOf(i));
            if (word != 0) return $"index {i}: lock word not zero after every writer left: {LockWord.Describe(word)}";
            if (IdleCheck.Acquirable(() => locks.TryEnter(i), () => locks.Exit(i), $"QSpinLockArray[{i}]") is { } problem) return problem;
        }
        // A head's record that outlives its wait fills the process-wide table with locks nobody waits for.
        int records = HashedHeads.CountRecords();
        return records == 0 ? null : $"{records} parked-head records left in the pv hash after every writer left";
    }
}

/// <summary>
/// <c>--type array-busted</c>: a <see cref="QSpinLockArray"/> reached through a broken index map, the bug
/// of a striped table whose lock index depends on something other than the key: threads with an odd
/// managed id take lock 1 for index 0, the others lock 0. Each lock is correct, but two writers can
/// hold index 0 at once, so the torture's per-index check must FAIL.
/// </summary>
internal sealed class BustedArrayTortureLock(QSpinLockArray locks) : ITortureLockArray
{
    public int Length => locks.Length;

    public void Enter(int index) => locks.Enter(Map(index));

    public void Exit(int index) => locks.Exit(Map(index));

    public string Describe(int index) => locks.Describe(index);

    public string? CheckIdle() => null; // the map is the bug; the locks themselves end free

    private static int Map(int index) => index == 0 && (Environment.CurrentManagedThreadId & 1) != 0 ? 1 : index;
}
