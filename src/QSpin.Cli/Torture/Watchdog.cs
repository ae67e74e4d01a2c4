using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace QSpin.Cli.Torture;

/// <summary>
/// Turns a hang into a FAILURE with something to read: a writer that waits longer than
/// <c>--acq-limit</c> to acquire a lock (or is stuck that long anywhere else outside a pause; a hold
/// may also take the long-hold time) ends the run with a dump of every lock and every writer. It
/// runs on its own background thread and ends the process itself, so writer threads that never
/// return cannot hang the tool.
/// </summary>
internal static class Watchdog
{
    /// <summary>The watchdog thread's loop, until <paramref name="stop"/>.</summary>
    public static void Run(TortureRun run, CancellationToken stop)
    {
        TortureOptions o = run.Options;
        long acqLimit = (long)(o.AcqLimitSeconds * Stopwatch.Frequency);
        long holdLimit = acqLimit + o.LongHoldMs * Stopwatch.Frequency / 1000;
        var period = TimeSpan.FromSeconds(Math.Clamp(o.AcqLimitSeconds / 10, 0.01, 0.5));
        while (!stop.WaitHandle.WaitOne(period))
        {
            long now = Stopwatch.GetTimestamp();
            foreach (Writer w in run.Writers)
            {
                (WriterPhase phase, long since, int lockIndex, int index) = w.Snapshot();
                long limit = phase switch
                {
                    WriterPhase.Holding => holdLimit,
                    WriterPhase.Acquiring or WriterPhase.Releasing or WriterPhase.Outside => acqLimit,
                    _ => long.MaxValue,
                };
                long stuck = now - since;
                if (stuck <= limit) continue;
                string what = phase == WriterPhase.Acquiring
                    ? $"has waited {Seconds(stuck)} to acquire {run.LockName(lockIndex, index)}"
                    : $"has been {Describe(run, phase, lockIndex, index)} for {Seconds(stuck)}";
                run.EndByWatchdog(
                    $"WATCHDOG: writer {w.Id} ({Name(w)}) {what} (limit {Seconds(limit)}); the lock hangs or a writer is stuck",
                    Dump(run, now));
                return;
            }
        }
    }

    /// <summary>Every lock's state (QSpin: word and queued nodes) and every writer's phase.</summary>
    public static string Dump(TortureRun run, long now)
    {
        var sb = new StringBuilder();
        for (int k = 0; k < run.Locks.Length; k++)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"--- lock {k}{(k == run.Locks.Length - 1 ? " (main)" : " (nested)")}:");
            for (int i = 0; i < run.Locks[k].Length; i++)
            {
                string prefix = run.Locks[k].Length == 1 ? "" : $"[{i}] ";
                sb.AppendLine(prefix + run.Locks[k].Describe(i).TrimEnd());
                sb.AppendLine(CultureInfo.InvariantCulture, $"{prefix}guarded record: {run.Records[k][i].Describe()}");
            }
        }
        sb.AppendLine("--- writers:");
        foreach (Writer w in run.Writers)
        {
            (WriterPhase phase, long since, int lockIndex, int index) = w.Snapshot();
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"  writer {w.Id} ({Name(w)}): {Describe(run, phase, lockIndex, index)} for {Seconds(now - since)}; writes {w.Writes}, failures {Volatile.Read(ref w.Failures)}, longest wait {Seconds(Volatile.Read(ref w.MaxWaitTicks))}");
        }
        return sb.ToString();
    }

    private static string Name(Writer w) => w.Thread is { } t ? $"thread '{t.Name}' #{t.ManagedThreadId}" : "no thread";

    private static string Describe(TortureRun run, WriterPhase phase, int lockIndex, int index) => phase switch
    {
        WriterPhase.Acquiring => $"acquiring {run.LockName(lockIndex, index)}",
        WriterPhase.Holding => $"holding {run.LockName(lockIndex, index)} (innermost)",
        WriterPhase.Releasing => $"releasing {run.LockName(lockIndex, index)}",
        WriterPhase.Outside => "outside the locks",
        WriterPhase.Paused => "paused (stutter)",
        WriterPhase.Exited => "exited",
        _ => "not started",
    };

    public static string Seconds(long ticks) =>
        ticks == long.MaxValue ? "unlimited" : string.Create(CultureInfo.InvariantCulture, $"{(double)ticks / Stopwatch.Frequency:0.000} s");
}
