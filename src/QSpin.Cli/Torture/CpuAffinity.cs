using System.Runtime.InteropServices;

namespace QSpin.Cli.Torture;

/// <summary>The calling thread's CPU affinity, on Linux (sched_getaffinity / sched_setaffinity with pid 0, which means the calling thread).</summary>
internal static unsafe partial class CpuAffinity
{
    // glibc's cpu_set_t: 1024 CPUs.
    private const int MaskWords = 16;

    /// <summary>The CPUs the calling thread may run on, or null where the OS offers no affinity call.</summary>
    public static int[]? AllowedCpus()
    {
        if (!OperatingSystem.IsLinux()) return null;
        ulong* mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Clear();
        if (sched_getaffinity(0, MaskWords * sizeof(ulong), mask) != 0) return null;
        var cpus = new List<int>();
        for (int cpu = 0; cpu < MaskWords * 64; cpu++)
            if ((mask[cpu >> 6] & (1UL << (cpu & 63))) != 0) cpus.Add(cpu);
        return [.. cpus];
    }

    /// <summary>Restricts the calling thread to <paramref name="cpus"/>; false when the OS refused or offers no such call.</summary>
    public static bool TrySetCurrentThread(int[] cpus)
    {
        if (!OperatingSystem.IsLinux()) return false;
        ulong* mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Clear();
        foreach (int cpu in cpus)
            if (cpu >= 0 && cpu < MaskWords * 64) mask[cpu >> 6] |= 1UL << (cpu & 63);
        return sched_setaffinity(0, MaskWords * sizeof(ulong), mask) == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);
}
