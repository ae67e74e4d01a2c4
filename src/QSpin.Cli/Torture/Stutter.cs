namespace QSpin.Cli.Torture;

/// <summary><c>--stutter</c>: the writers run for a while, then all pause for as long, over and over (locktorture's stutter).</summary>
internal sealed class Stutter : IDisposable
{
    private readonly ManualResetEventSlim _running = new(initialState: true);
    private long _pauses;

    /// <summary>True while writers may run.</summary>
    public bool IsRunning => _running.IsSet;

    /// <summary>Pauses so far.</summary>
    public long Pauses => Interlocked.Read(ref _pauses);

    /// <summary>Called by a writer outside its locks: blocks while the writers are paused.</summary>
    public void WaitWhilePaused() => _running.Wait();

    /// <summary>Lets every paused writer go, for good.</summary>
    public void Release() => _running.Set();

    /// <summary>The stutter thread's loop: run <paramref name="seconds"/>, pause <paramref name="seconds"/>, until <paramref name="stop"/>.</summary>
    public void Run(double seconds, CancellationToken stop)
    {
        var period = TimeSpan.FromSeconds(seconds);
        try
        {
            while (!stop.WaitHandle.WaitOne(period))
            {
                _running.Reset();
                Interlocked.Increment(ref _pauses);
                if (stop.WaitHandle.WaitOne(period)) break;
                _running.Set();
            }
        }
        finally
        {
            _running.Set();
        }
    }

    public void Dispose() => _running.Dispose();
}
