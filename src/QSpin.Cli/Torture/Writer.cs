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
/// update each lock's <see cref="GuardedRecord"/>, delay, then release in reverse order.
/// </summary>
internal sealed class Writer
{
    private readonly TortureRun _run;
    private long _writes;
    private int _phase;
    private long _phaseSince;
    private int _phaseLock = -1;
    private volatile bool _retire;

    public Writer(TortureRun run, int id)
    {
        _run = run;
        Id = id;
        Acquisitions = new long[run.Locks.Length];
    }

    public int Id { get; }

    /// <summary>The thread now serving this writer.</summary>
    public Thread? Thread { get; private set; }

    /// <summary>Threads that have served this writer.</summary>
    public int Generation { get; private set; }

    /// <summary>Completed writes (each takes the main lock once).</summary>
    public long Writes => Volatile.Read(ref _writes);

    /// <summary>Acquisitions of each lock; read only after the writer's threads have ended.</summary>
    public long[] Acquisitions { get; }

    public long Failures;
    public long MaxWaitTicks;
    public long LongHolds;
    public long ShortDelays;
    public long Preemptions;

    /// <summary>A racy snapshot of where the writer is, since when (Stopwatch ticks), and on which lock.</summary>
    public (WriterPhase Phase, long Since, int Lock) Snapshot()
    {
        var phase = (WriterPhase)Volatile.Read(ref _phase); // acquire: pairs with the release in SetPhase, so Since is at least as new
        return (phase, Volatile.Read(ref _phaseSince), Volatile.Read(ref _phaseLock));
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

    private void SetPhase(WriterPhase phase, int lockIndex)
    {
        Volatile.Write(ref _phaseSince, Stopwatch.GetTimestamp());
        Volatile.Write(ref _phaseLock, lockIndex);
        Volatile.Write(ref _phase, (int)phase); // release: the time and lock before the phase
    }

    private void Loop()
    {
        TortureOptions o = _run.Options;
        var rng = new Random(HashCode.Combine(o.Seed, Id, Generation));
        var delays = new Delays(rng, o.Writers, o.LongHoldMs);
        ITortureLock[] locks = _run.Locks;
        GuardedRecord[] records = _run.Records;
        int main = locks.Length - 1;
        var taken = new bool[locks.Length];
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
                    SetPhase(WriterPhase.Acquiring, k);
                    long t0 = Stopwatch.GetTimestamp();
                    locks[k].Enter();
                    long waited = Stopwatch.GetTimestamp() - t0;
                    if (waited > MaxWaitTicks) MaxWaitTicks = waited;
                    SetPhase(WriterPhase.Holding, k);
                    Acquisitions[k]++;
                    if (records[k].Begin(Id, out seen[k]) is { } problem) _run.ReportFailure(this, k, problem);
                }

                delays.InCriticalSection();

                for (int k = main; k >= 0; k--)
                {
                    if (!taken[k]) continue;
                    SetPhase(WriterPhase.Releasing, k);
                    if (records[k].End(Id, seen[k]) is { } problem) _run.ReportFailure(this, k, problem);
                    locks[k].Exit();
                }
                SetPhase(WriterPhase.Outside, -1);
                Volatile.Write(ref _writes, _writes + 1);
            }
        }
        catch (Exception e)
        {
            // The lock threw (e.g. QSpin's paravirt unlock found a corrupted word): a failure. This
            // thread stops; the others may now hang on what it holds, which the watchdog reports.
            _run.ReportFailure(this, -1, $"writer died: {e.GetType().Name}: {e.Message}");
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
