using System.Diagnostics;
using QSpin.Cli.Locks;

namespace QSpin.Cli.Torture;

/// <summary>Where a writer is, for the watchdog and its dump.</summary>
internal enum WriterPhase
{
    NotStarted,
    /// <summary>Between writes, outside every lock.</summary>
    Outside,
    Acquiring,
    /// <summary>Inside: checks, then the delay.</summary>
    Holding,
    Releasing,
    /// <summary>Stopped by <c>--stutter</c>; not timed.</summary>
    Paused,
    /// <summary>Its thread has ended (end of run, or churn before the replacement starts).</summary>
    Exited,
}

/// <summary>
/// One logical writer: its counters survive thread churn, and at any time one thread runs its loop:
/// take a random subset of the nested locks and then the main lock (always in index order), check and
/// update each lock's <see cref="GuardedRecord"/>, delay, then release in reverse order. Of a lock
/// array (<c>--type array</c>) it takes one index, index 0 half the time (the hot index) and otherwise
/// any index at random, and checks that index's record.
/// </summary>
internal sealed class Writer
{
    private readonly TortureRun _run;
    private long _writes;
    private int _phase;
    private long _phaseSince;
    private int _phaseLock = -1;
    private int _phaseIndex;
    private volatile bool _retire;

    public Writer(TortureRun run, int id)
    {
        _run = run;
        Id = id;
        Acquisitions = [.. run.Locks.Select(l => new long[l.Length])];
    }

    public int Id { get; }

    /// <summary>The thread now serving this writer.</summary>
    public Thread? Thread { get; private set; }

    /// <summary>Threads that have served this writer.</summary>
    public int Generation { get; private set; }

    /// <summary>Completed writes (each takes the main lock once).</summary>
    public long Writes => Volatile.Read(ref _writes);

    /// <summary>Acquisitions of each lock and index (<c>[lock][index]</c>); read only after the writer's threads have ended.</summary>
    public long[][] Acquisitions { get; }

    public long Failures;
    public long MaxWaitTicks;
    public long LongHolds;
    public long ShortDelays;
    public long Preemptions;

    /// <summary>A racy snapshot of where the writer is, since when (Stopwatch ticks), and on which lock and index.</summary>
    public (WriterPhase Phase, long Since, int Lock, int Index) Snapshot()
    {
        var phase = (WriterPhase)Volatile.Read(ref _phase); // acquire: pairs with the release in SetPhase, so Since is at least as new
        return (phase, Volatile.Read(ref _phaseSince), Volatile.Read(ref _phaseLock), Volatile.Read(ref _phaseIndex));
    }

    /// <summary>Starts a new thread for this writer. The previous one, if any, must have ended.</summary>
    public void Start()
    {
        _retire = false;
        Generation++;
        var t = new Thread(Loop) { IsBackground = true, Name = $"torture writer {Id}.{Generation}" };
        Thread = t;
        t.Start();
    }

    /// <summary>Asks the current thread to end after its current write (thread churn).</summary>
    public void Retire() => _retire = true;

    private void SetPhase(WriterPhase phase, int lockIndex, int index = 0)
    {
        Volatile.Write(ref _phaseSince, Stopwatch.GetTimestamp());
        Volatile.Write(ref _phaseLock, lockIndex);
        Volatile.Write(ref _phaseIndex, index);
        Volatile.Write(ref _phase, (int)phase); // release: the time, lock and index before the phase
    }

    /// <summary>The index to take of a lock of <paramref name="length"/> locks: 0 (hot) half the time, else uniform.</summary>
    private static int PickIndex(Random rng, int length) => length == 1 || rng.Next(2) == 0 ? 0 : rng.Next(length);

    private void Loop()
    {
        TortureOptions o = _run.Options;
        var rng = new Random(HashCode.Combine(o.Seed, Id, Generation));
        var delays = new Delays(rng, o.Writers, o.LongHoldMs);
        ITortureLockArray[] locks = _run.Locks;
        GuardedRecord[][] records = _run.Records;
        int main = locks.Length - 1;
        var taken = new bool[locks.Length];
        var index = new int[locks.Length];
        var seen = new long[locks.Length];
        int shuffleSeen = 0;
        SetPhase(WriterPhase.Outside, -1);
        try
        {
            while (!_run.Stopping && !_retire)
            {
                if (!_run.Stutter.IsRunning)
                {
                    SetPhase(WriterPhase.Paused, -1);
                    _run.Stutter.WaitWhilePaused();
                    SetPhase(WriterPhase.Outside, -1);
                    continue;
                }
                _run.Shuffler?.ApplyIfChanged(ref shuffleSeen);

                // Nested locks (all but the last) are taken at random; the main lock always, last.
                int subset = main > 0 ? rng.Next(1 << main) : 0;
                for (int k = 0; k <= main; k++)
                {
                    taken[k] = k == main || (subset & (1 << k)) != 0;
                    if (!taken[k]) continue;
                    int i = index[k] = PickIndex(rng, locks[k].Length);
                    SetPhase(WriterPhase.Acquiring, k, i);
                    long t0 = Stopwatch.GetTimestamp();
                    locks[k].Enter(i);
                    long waited = Stopwatch.GetTimestamp() - t0;
                    if (waited > MaxWaitTicks) MaxWaitTicks = waited;
                    SetPhase(WriterPhase.Holding, k, i);
                    Acquisitions[k][i]++;
                    if (records[k][i].Begin(Id, out seen[k]) is { } problem) _run.ReportFailure(this, k, i, problem);
                }

                delays.InCriticalSection();

                for (int k = main; k >= 0; k--)
                {
                    if (!taken[k]) continue;
                    int i = index[k];
                    SetPhase(WriterPhase.Releasing, k, i);
                    if (records[k][i].End(Id, seen[k]) is { } problem) _run.ReportFailure(this, k, i, problem);
                    locks[k].Exit(i);
                }
                SetPhase(WriterPhase.Outside, -1);
                Volatile.Write(ref _writes, _writes + 1);
            }
        }
        catch (Exception e)
        {
            // The lock threw (e.g. QSpin's paravirt unlock found a corrupted word): a failure. This
            // thread stops; the others may now hang on what it holds, which the watchdog reports.
            _run.ReportFailure(this, -1, 0, $"writer died: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            LongHolds += delays.LongHolds;
            ShortDelays += delays.ShortDelays;
            Preemptions += delays.Preemptions;
            SetPhase(WriterPhase.Exited, -1);
        }
    }
}
