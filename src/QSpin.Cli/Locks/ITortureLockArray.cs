namespace QSpin.Cli.Locks;

/// <summary>
/// What the torture takes: one or more locks, by index. A single lock is an array of one
/// (<see cref="SeparateTortureLocks"/>); a <see cref="QSpinLockArray"/> is many locks whose words share
/// cache lines. The torture keeps one guarded record per index, so exclusion is checked per index.
/// </summary>
internal interface ITortureLockArray
{
    /// <summary>The number of locks; indices run from 0 to this minus 1.</summary>
    int Length { get; }

    void Enter(int index);

    void Exit(int index);

    /// <summary>Lock <paramref name="index"/>'s state for a watchdog dump.</summary>
    string Describe(int index);

    /// <summary>Called after every writer has left: null when every lock is free and clean, else what is wrong (naming the index).</summary>
    string? CheckIdle();
}

/// <summary>Independent lock objects taken by index: a single lock (one element), or .NET's <c>Lock[]</c> shape.</summary>
internal sealed class SeparateTortureLocks(ITortureLock[] locks) : ITortureLockArray
{
    public int Length => locks.Length;

    public void Enter(int index) => locks[index].Enter();

    public void Exit(int index) => locks[index].Exit();

    public string Describe(int index) => locks[index].Describe();

    public string? CheckIdle()
    {
        for (int i = 0; i < locks.Length; i++)
            if (locks[i].CheckIdle() is { } problem) return locks.Length == 1 ? problem : $"index {i}: {problem}";
        return null;
    }
}
