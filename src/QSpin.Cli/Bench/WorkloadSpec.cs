namespace QSpin.Cli.Bench;

/// <summary>One measured run: what the worker process is asked to do.</summary>
/// <param name="Threads">Threads taking the lock.</param>
/// <param name="DurationSeconds">How long they run, from the barrier to the stop flag.</param>
/// <param name="CsLines">Cache lines of shared state the critical section updates (one 8-byte increment per 64-byte line); the single-lock workload only.</param>
/// <param name="PrivateWork">Steps of a private xorshift chain between release and the next acquisition.</param>
/// <param name="SampleEvery">Every this many acquisitions (a power of two) one is timed for the latency histogram.</param>
/// <param name="Dispatch">How the loop calls the contender.</param>
/// <param name="Buckets">The striped workload (<see cref="StripedWorkload"/>): locks in the table, one per bucket; 0 for the single-lock workload.</param>
/// <param name="Keys">The striped workload: how keys are drawn.</param>
internal sealed record WorkloadSpec(
    int Threads,
    double DurationSeconds,
    int CsLines,
    int PrivateWork,
    int SampleEvery = WorkloadSpec.DefaultSampleEvery,
    Dispatch Dispatch = Dispatch.Struct,
    int Buckets = 0,
    KeyPattern Keys = KeyPattern.Uniform)
{
    /// <summary>One acquisition in 64 is timed: two timestamps cost about 50 ns here, under 1 ns per acquisition on average.</summary>
    public const int DefaultSampleEvery = 64;

    /// <summary>The shape of the run, as tables and plots group it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Shape Shape => new(CsLines, PrivateWork, Buckets, Keys);
}

/// <summary>How the striped workload draws the key of each update.</summary>
internal enum KeyPattern
{
    /// <summary>Every key of the key space equally likely.</summary>
    Uniform,

    /// <summary>Half the updates go to the <see cref="StripedWorkload.HotKeys"/> hot keys, the other half uniformly to any key.</summary>
    Hot,
}

/// <summary>
/// What a table or plot is about, besides the lock and thread count: the single-lock workload's sizes,
/// or the striped workload's bucket count and keys (<see cref="Buckets"/> &gt; 0).
/// </summary>
internal sealed record Shape(int CsLines, int PrivateWork, int Buckets = 0, KeyPattern Keys = KeyPattern.Uniform)
{
    public bool IsStriped => Buckets > 0;

    /// <summary>The heading of its table and plots.</summary>
    public string Title => IsStriped
        ? $"striped: {Buckets:N0} buckets, {Keys.ToString().ToLowerInvariant()} keys, private work {PrivateWork} steps"
        : $"critical section {CsLines} cache lines, private work {PrivateWork} steps";

    /// <summary>The file-name suffix of its plots when a run has several shapes.</summary>
    public string FileSuffix => IsStriped ? $"-striped{Buckets}-{Keys.ToString().ToLowerInvariant()}" : $"-cs{CsLines}-pw{PrivateWork}";
}
