using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using Perfolizer.Horology;

namespace QSpin.Benchmarks;

/// <summary>How long each benchmark is measured.</summary>
public enum RunLength
{
    /// <summary>1 launch, 3 warm-up and 3 measured iterations of 100 ms: a smoke run, minutes for a subset.</summary>
    Short,

    /// <summary>3 launches (processes) of 3 warm-up and 10 measured iterations of 250 ms: process-to-process noise is in the error.</summary>
    Medium,

    /// <summary>BenchmarkDotNet's defaults (it decides the counts): long on 2 cores.</summary>
    Full,
}

/// <summary>The jobs (one per QSpin mode), columns and diagnosers of every run.</summary>
public static class BenchConfig
{
    public const string NativeJobId = "native";

    /// <summary>QSpin modes by job id, with the QSPIN_MODE value each job's process gets.</summary>
    public static readonly IReadOnlyList<(string Id, string EnvValue)> Modes =
    [
        (NativeJobId, "native"),
        ("paravirt", "paravirt"),
        ("tas", "tas"),
    ];

    public static IConfig Create(RunLength length, IReadOnlyCollection<string> modes, bool disassembly)
    {
        ManualConfig config = ManualConfig.Create(DefaultConfig.Instance)
            .AddColumn(RatioColumn.VsFloor, RatioColumn.VsLock, RatioColumn.VsNative)
            .AddColumn(StatisticColumn.Min)
            .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared))
            .WithOption(ConfigOptions.JoinSummary, false);

        foreach ((string id, string env) in Modes)
        {
            if (!modes.Contains(id)) continue;
            // The mode is read once per process, so it must be in the child's environment: this is why
            // the jobs run out of process (the default toolchain), never in process.
            config.AddJob(Sized(Job.Default, length).WithEnvironmentVariable(QSpinOps.EnvironmentVariable, env).WithId(id));
        }

        if (disassembly)
        {
            config.AddDiagnoser(new DisassemblyDiagnoser(new DisassemblyDiagnoserConfig(
                maxDepth: 2, printSource: true, exportGithubMarkdown: true)));
        }

        return config;
    }

    private static Job Sized(Job job, RunLength length) => length switch
    {
        RunLength.Short => job.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(3)
            .WithIterationTime(TimeInterval.FromMilliseconds(100)),
        RunLength.Medium => job.WithLaunchCount(3).WithWarmupCount(3).WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(250)),
        _ => job,
    };
}
