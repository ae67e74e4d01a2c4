namespace QSpin.Cli.Locks;

/// <summary>A lock as the torture sees it: enter, exit, and what a watchdog dump can say about it.</summary>
internal interface ITortureLock
{
    void Enter();

    void Exit();

    /// <summary>The lock's state for a watchdog dump (QSpin: the lock word and the queued nodes).</summary>
    string Describe();

    /// <summary>Called after every writer has left: null when the lock is free and clean, else what is wrong.</summary>
    string? CheckIdle();
}
