namespace QSpin.Cli.Torture;

/// <summary>
/// <c>--churn</c>: writer threads live about <c>--churn</c> seconds each, then end and a fresh thread
/// takes over the writer. One writer is replaced at a time, round robin, so the replacements are
/// spread over the period. A new thread needs a QSpin thread slot; with <c>--slots</c> set low, it
/// gets one recycled from an exited thread.
/// </summary>
internal static class Churn
{
    /// <summary>The churn thread's loop, until <paramref name="stop"/>; returns the number of threads replaced.</summary>
    public static long Run(IReadOnlyList<Writer> writers, double seconds, CancellationToken stop)
    {
        var step = TimeSpan.FromSeconds(seconds / writers.Count);
        long replaced = 0;
        int next = 0;
        while (!stop.WaitHandle.WaitOne(step))
        {
            Writer w = writers[next];
            next = (next + 1) % writers.Count;
            w.Retire();
            // Wait for the old thread to end (a writer queued behind long holds can take a while);
            // if it never does, the watchdog reports it.
            while (!w.Thread!.Join(50))
                if (stop.IsCancellationRequested) return replaced;
            if (stop.IsCancellationRequested) return replaced;
            w.Start();
            replaced++;
        }
        return replaced;
    }
}
