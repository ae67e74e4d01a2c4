using System.CommandLine;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using QSpin.Platform;

namespace QSpin.Cli;

/// <summary><c>qspin info</c>: the runtime, the machine, and the lock mode this process would use, with its reason.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Show the runtime, the machine and the lock mode QSpin selects here, with its reason.");
        cmd.SetAction(_ => Run(Console.Out));
        return cmd;
    }

    public static int Run(TextWriter o)
    {
        o.WriteLine($"runtime:     {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture})");
        o.WriteLine($"os:          {RuntimeInformation.OSDescription}");
        o.WriteLine($"cpus:        {Environment.ProcessorCount}");
        o.WriteLine($"hypervisor:  {(QSpinOps.HypervisorPresent ? "present (CPUID)" : X86Base.IsSupported ? "not detected (CPUID)" : "unknown (QSpin reads it with CPUID, on x86 only)")}");
        o.WriteLine($"gc:          {(GCSettings.IsServerGC ? "server" : "workstation")}");
        o.WriteLine($"wait/wake:   {WaitOnAddress.Implementation}");
        o.WriteLine($"pv unlock:   {(ProcessBarrier.IsReliable ? "store and load, no fence" : "store, full fence, load")} (process-wide barrier: {ProcessBarrier.Description})");
        o.WriteLine($"stats:       {(QSpinStats.Enabled ? "on" : "off")} (QSPIN_STATS=1 or AppContext switch QSpin.Stats; meter and event source \"{QSpinStats.MeterName}\")");
        if (QSpinOps.ConfigurationError is { } error)
        {
            o.WriteLine($"mode:        INVALID");
            o.WriteLine($"error:       {error}");
            return ExitCodes.BadArgument;
        }
        o.WriteLine($"mode:        {QSpinOps.Mode}");
        o.WriteLine($"reason:      {QSpinOps.Reason}");
        return ExitCodes.Ok;
    }
}
