using System.Text.Json;
using System.Text.Json.Serialization;

namespace QSpin.Cli.Bench;

/// <summary>The first line a worker writes: who it is, the lock mode its process selected, and its scheduling priority.</summary>
internal sealed record WorkerHello(string Lock, int Pid, string? Mode, string? Reason, string Priority);

/// <summary>One line from parent to worker: run this spec once, or measure the cache-line floor (exactly one of the two).</summary>
internal sealed record WorkerRequest(WorkloadSpec? Spec, FloorRequest? Floor = null);

/// <summary>Measure the cache-line floor (<see cref="CacheLineFloor"/>) <paramref name="Times"/> times, <paramref name="Rounds"/> round trips each.</summary>
internal sealed record FloorRequest(int Rounds, int Times);

/// <summary>One line from worker to parent: the sample, or the floor's one-way times in nanoseconds, or why there is none.</summary>
internal sealed record WorkerReply(Sample? Sample, string? Error, double[]? FloorNs = null);

/// <summary>The JSON settings of the worker protocol and of the results file.</summary>
internal static class BenchJson
{
    /// <summary>One object per line (the worker protocol).</summary>
    public static readonly JsonSerializerOptions Line = Create(indented: false);

    /// <summary>Indented (results.json).</summary>
    public static readonly JsonSerializerOptions File = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = indented,
        // Max/min is infinite when a thread got nothing; Jain is NaN when nobody did.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };
}
