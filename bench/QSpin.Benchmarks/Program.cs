using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace QSpin.Benchmarks;

/// <summary>
/// Entry point: our own options (run length, modes, disassembly) are taken off the command line, the
/// rest goes to BenchmarkDotNet's switcher (<c>--filter</c>, <c>--list</c>, <c>--anyCategories</c>, ...).
/// </summary>
public static class Program
{
    private const string Usage = """
        QSpin micro-benchmarks (BenchmarkDotNet). See docs/microbenchmarks.md.

          dotnet run -c Release --project bench/QSpin.Benchmarks -- [options] [BenchmarkDotNet options]

        Options of this program (taken off before BenchmarkDotNet sees the rest):
          --length short|medium|full   how long each benchmark is measured (default: full)
                                         short:  1 process, 3 warm-up + 3 iterations of 100 ms
                                         medium: 3 processes, each 3 warm-up + 10 iterations of 250 ms
                                         full:   BenchmarkDotNet's defaults
          --modes native,paravirt,tas  the QSpin modes to run, one job each with QSPIN_MODE set (default: all)
          --no-disasm                  skip the DisassemblyDiagnoser
        Without --filter/--list/--anyCategories/--allCategories every benchmark runs (--filter '*').
        Examples:
          ... -- --length short --modes native,paravirt --filter '*Floor_*' '*QSpin_EnterExit*' '*Lock_EnterExit*'
          ... -- --length medium
          ... -- --list flat
        BenchmarkDotNet's own options follow.

        """;

    /// <summary>
    /// True in the process that runs <see cref="Main"/>: the BenchmarkDotNet host. The benchmark
    /// processes of the out-of-process jobs start from BenchmarkDotNet's generated entry point instead,
    /// so a benchmark that finds this set runs in process, where its job's QSPIN_MODE cannot apply.
    /// </summary>
    public static bool IsHost { get; private set; }

    public static int Main(string[] args)
    {
        IsHost = true;
        var length = RunLength.Full;
        var modes = BenchConfig.Modes.Select(m => m.Id).ToList();
        bool disassembly = true;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--length" && i + 1 < args.Length)
            {
                if (!Enum.TryParse(args[++i], ignoreCase: true, out length))
                    return Fail($"unknown --length '{args[i]}': use short, medium or full");
            }
            else if (a == "--modes" && i + 1 < args.Length)
            {
                modes = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                string? bad = modes.FirstOrDefault(m => BenchConfig.Modes.All(k => k.Id != m));
                if (bad is not null || modes.Count == 0) return Fail($"unknown mode '{bad}' in --modes: use native, paravirt, tas");
            }
            else if (a == "--no-disasm")
            {
                disassembly = false;
            }
            else
            {
                if (a is "--help" or "-h" or "-?") Console.Write(Usage);
                rest.Add(a);
            }
        }

        string[] selectors = ["--filter", "-f", "--list", "--anyCategories", "--allCategories", "--help", "-h", "-?", "--version"];
        if (!rest.Any(selectors.Contains)) rest.AddRange(["--filter", "*"]);

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
            .Run([.. rest], BenchConfig.Create(length, modes, disassembly));
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("qspin-bench: " + message);
        Console.Error.Write(Usage);
        return 2;
    }
}
