namespace QSpin.Cli.Bench;

/// <summary>One measured run: what the worker process is asked to do.</summary>
/// <param name="Threads">Threads taking the lock.</param>
/// <param name="DurationSeconds">How long they run, from the barrier to the stop flag.</param>
/// <param name="CsLines">Cache lines of shared state the critical section updates (one 8-byte increment per 64-byte line).</param>
/// <param name="PrivateWork">Steps of a private xorshift chain between release and the next acquisition.</param>
/// <param name="SampleEvery">Every this many acquisitions (a power of two) one is timed for the latency histogram.</param>
/// <param name="Dispatch">How the loop calls the contender.</param>
internal sealed record WorkloadSpec(
    int Threads,
    double DurationSeconds,
    int CsLines,
    int PrivateWork,
    int SampleEvery = WorkloadSpec.DefaultSampleEvery,
    Dispatch Dispatch = Dispatch.Struct)
{
    /// <summary>One acquisition in 64 is timed: two timestamps cost about 50 ns here, under 1 ns per acquisition on average.</summary>
    public const int DefaultSampleEvery = 64;
}
