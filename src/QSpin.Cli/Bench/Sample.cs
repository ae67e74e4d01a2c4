namespace QSpin.Cli.Bench;

/// <summary>Acquisition latency percentiles of one run, in nanoseconds, from the sampled histogram.</summary>
internal sealed record Latency(long Samples, long P50Ns, long P99Ns, long P999Ns, long MaxNs);

/// <summary>The measurements of one run of one contender at one thread count: what a worker sends back.</summary>
/// <param name="Lock">Contender name.</param>
/// <param name="Mode">The QSpin mode of the worker process (QSpin contenders), else null.</param>
/// <param name="Threads">Threads that took the lock.</param>
/// <param name="CsLines">Cache lines updated in the critical section.</param>
/// <param name="PrivateWork">Private work steps between acquisitions.</param>
/// <param name="ElapsedSeconds">From the start barrier to the stop flag.</param>
/// <param name="Acquisitions">Acquisitions by all threads.</param>
/// <param name="PerThread">Acquisitions of each thread.</param>
/// <param name="CpuSeconds">Process user+system CPU time from the start barrier until every thread stopped.</param>
/// <param name="Latency">Sampled acquisition latency.</param>
/// <param name="MutualExclusionHeld">
/// True when the shared counter that the critical section increments without atomics equals the number
/// of acquisitions (no update was lost, so no two threads were ever inside together); null when the
/// critical section is empty.
/// </param>
/// <param name="LockEvents">
/// QSpin's lock-event counters for this run (the kernel's lock_events_list: lock_pending,
/// lock_slowpath, pv_wait_head, ...; averages rounded to whole units), when the worker ran with
/// QSPIN_STATS=1 (the "-stats" contenders); null otherwise.
/// </param>
/// <param name="Buckets">Striped workload: locks in the table (0: the single-lock workload).</param>
/// <param name="Keys">Striped workload: how keys were drawn.</param>
/// <param name="Handoffs">
/// Acquisitions by another thread than the one before (the run's first acquisition is none), summed
/// over the threads; null when the critical section is empty (<see cref="CsLines"/> 0) or in the
/// striped workload, where there is no one line to keep the last owner in.
/// </param>
/// <param name="BytesPerLock">
/// Striped workload: bytes the table of locks allocated (<see cref="GC.GetAllocatedBytesForCurrentThread"/>
/// around its creation) over <see cref="Buckets"/>; null for the single-lock workload.
/// </param>
internal sealed record Sample(
    string Lock,
    string? Mode,
    int Threads,
    int CsLines,
    int PrivateWork,
    double ElapsedSeconds,
    long Acquisitions,
    long[] PerThread,
    double CpuSeconds,
    Latency Latency,
    bool? MutualExclusionHeld,
    IReadOnlyDictionary<string, long>? LockEvents = null,
    int Buckets = 0,
    KeyPattern Keys = KeyPattern.Uniform,
    double? BytesPerLock = null,
    long? Handoffs = null)
{
    /// <summary>What the sample's table and plots group it by.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Shape Shape => new(CsLines, PrivateWork, Buckets, Keys);

    /// <summary>Acquisitions per second over the measured window.</summary>
    public double AcquisitionsPerSecond => ElapsedSeconds > 0 ? Acquisitions / ElapsedSeconds : 0;

    /// <summary>Jain's fairness index of <see cref="PerThread"/>: 1 when all threads got the same share.</summary>
    public double Jain => Statistics.JainIndex(PerThread);

    /// <summary>Largest per-thread count over the smallest (infinite when a thread got nothing).</summary>
    public double MaxMin => Statistics.MaxOverMin(PerThread);

    /// <summary>
    /// Process CPU time over the CPU the threads could have used (elapsed time x min(threads, cores)).
    /// Near 1 for spinning locks on an otherwise idle machine; lower when the lock parks its waiters,
    /// or when other work on the machine took the cores (then every figure of the run is noisy).
    /// </summary>
    public double CpuShare => ElapsedSeconds > 0 ? CpuSeconds / (ElapsedSeconds * Math.Min(Threads, Environment.ProcessorCount)) : double.NaN;

    /// <summary>Hand-offs over acquisitions: 0 when one thread kept the lock, near 1 when the lock changed hands every time; NaN without a count.</summary>
    public double HandoffsPerAcquisition => Handoffs is { } h && Acquisitions > 0 ? (double)h / Acquisitions : double.NaN;

    /// <summary>Elapsed (wall-clock) nanoseconds per hand-off; NaN without a count or without a hand-off.</summary>
    public double NsPerHandoff => Handoffs is > 0 ? ElapsedSeconds * 1e9 / Handoffs.Value : double.NaN;

    /// <summary>
    /// The longest sampled acquisition latency over the bypass bound of the QSpin mode this sample ran
    /// in (<see cref="Fairness.BypassBound"/>), for a mode whose bound is positive (paravirt); NaN for
    /// the others (native's bound is zero, test-and-set has none) and for the other locks. The latency
    /// includes the wait behind the FIFO predecessors, which the bound does not limit, so a value above
    /// 1 does not mean that the bound was broken.
    /// </summary>
    public double WorstWaitOverBound =>
        Enum.TryParse(Mode, out QSpinMode mode) && Fairness.BypassBound(mode) is { } bound && bound > TimeSpan.Zero && Latency.Samples > 0
            ? Latency.MaxNs / bound.TotalNanoseconds
            : double.NaN;

    /// <summary>Process CPU time per acquisition, in nanoseconds.</summary>
    public double CpuNsPerAcquisition => Acquisitions > 0 ? CpuSeconds * 1e9 / Acquisitions : double.PositiveInfinity;
}
