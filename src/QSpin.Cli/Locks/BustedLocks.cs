namespace QSpin.Cli.Locks;

/// <summary>
/// <c>--type busted</c>: a lock that checks and then sets without atomicity, with a window between
/// the two. Two writers that find it free at about the same time both get in, so the torture's
/// checker must report FAILURE within moments; this proves that the checker can fail.
/// </summary>
internal sealed class BustedLock : ITortureLock
{
    private int _locked;

    public void Enter()
    {
        while (true)
        {
            if (Volatile.Read(ref _locked) == 0)
            {
                Thread.SpinWait(20); // the bug, widened: another thread may take it right here
                Volatile.Write(ref _locked, 1);
                return;
            }
            Thread.SpinWait(1);
        }
    }

    public void Exit() => Volatile.Write(ref _locked, 0);

    public string Describe() => $"BustedLock locked={Volatile.Read(ref _locked)}";

    public string? CheckIdle() => Volatile.Read(ref _locked) == 0 ? null : "BustedLock still locked after every writer left";
}

/// <summary>
/// <c>--type busted-unlock</c>: a correct compare-and-swap lock whose unlock now and then does
/// nothing, so the next writer waits forever. This proves that the watchdog turns a hang into a
/// FAILURE with a dump, and that a hung lock cannot hang the tool.
/// </summary>
internal sealed class BustedUnlockLock : ITortureLock
{
    private int _locked;
    private int _exits;

    public void Enter()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _locked, 1, 0) != 0) spin.SpinOnce(sleep1Threshold: -1);
    }

    public void Exit()
    {
        if (Interlocked.Increment(ref _exits) % 5000 == 0) return; // the bug: the lock stays held forever
        Volatile.Write(ref _locked, 0);
    }

    public string Describe() => $"BustedUnlockLock locked={Volatile.Read(ref _locked)} exits={Volatile.Read(ref _exits)}";

    public string? CheckIdle() => Volatile.Read(ref _locked) == 0 ? null : "BustedUnlockLock still locked after every writer left";
}
