using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace QSpin.Cli.Torture;

/// <summary>
/// The calling thread's CPU affinity: sched_getaffinity / sched_setaffinity on Linux,
/// GetProcessAffinityMask / SetThreadAffinityMask on Windows (the process's processor group, at most
/// 64 CPUs); unavailable elsewhere. Each platform's native calls sit in a class of their own, behind
/// NoInlining methods, so no platform compiles another's.
/// </summary>
internal static partial class CpuAffinity
{
    /// <summary>The CPUs the calling thread may run on, or null where the OS offers no affinity call.</summary>
    public static int[]? AllowedCpus() =>
        OperatingSystem.IsLinux() ? Linux.AllowedCpus()
        : OperatingSystem.IsWindows() ? Windows.AllowedCpus()
        : null;

    /// <summary>Restricts the calling thread to <paramref name="cpus"/>; false when the OS refused or offers no such call.</summary>
    public static bool TrySetCurrentThread(int[] cpus) =>
        OperatingSystem.IsLinux() ? Linux.TrySetCurrentThread(cpus)
        : OperatingSystem.IsWindows() && Windows.TrySetCurrentThread(cpus);

    private static List<int> Cpus(ReadOnlySpan<ulong> mask)
    {
        var cpus = new List<int>();
        for (int cpu = 0; cpu < mask.Length * 64; cpu++)
            if ((mask[cpu >> 6] & (1UL << (cpu & 63))) != 0) cpus.Add(cpu);
        return cpus;
    }

    private static void Fill(Span<ulong> mask, int[] cpus)
    {
        mask.Clear();
        foreach (int cpu in cpus)
            if (cpu >= 0 && cpu < mask.Length * 64) mask[cpu >> 6] |= 1UL << (cpu & 63);
    }

    [SupportedOSPlatform("linux")]
    private static unsafe partial class Linux
    {
        // glibc's cpu_set_t: 1024 CPUs.
        private const int MaskWords = 16;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int[]? AllowedCpus()
        {
            ulong* mask = stackalloc ulong[MaskWords];
            new Span<ulong>(mask, MaskWords).Clear();
            // pid 0: the calling thread.
            if (sched_getaffinity(0, MaskWords * sizeof(ulong), mask) != 0) return null;
            return [.. Cpus(new ReadOnlySpan<ulong>(mask, MaskWords))];
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static bool TrySetCurrentThread(int[] cpus)
        {
            ulong* mask = stackalloc ulong[MaskWords];
            Fill(new Span<ulong>(mask, MaskWords), cpus);
            return sched_setaffinity(0, MaskWords * sizeof(ulong), mask) == 0;
        }

        [LibraryImport("libc", SetLastError = true)]
        private static partial int sched_getaffinity(int pid, nuint cpusetsize, ulong* mask);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);
    }

    [SupportedOSPlatform("windows")]
    private static partial class Windows
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int[]? AllowedCpus()
        {
            if (!GetProcessAffinityMask(GetCurrentProcess(), out nuint process, out _)) return null;
            ulong mask = process;
            return [.. Cpus(new ReadOnlySpan<ulong>(ref mask))];
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static bool TrySetCurrentThread(int[] cpus)
        {
            ulong mask = 0;
            Fill(new Span<ulong>(ref mask), cpus);
            // Returns the previous mask, 0 on failure (a mask outside the process's is refused).
            return SetThreadAffinityMask(GetCurrentThread(), (nuint)mask) != 0;
        }

        [LibraryImport("kernel32.dll")]
        private static partial nint GetCurrentProcess();

        [LibraryImport("kernel32.dll")]
        private static partial nint GetCurrentThread();

        [LibraryImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static partial bool GetProcessAffinityMask(nint process, out nuint processMask, out nuint systemMask);

        [LibraryImport("kernel32.dll", SetLastError = true)]
        private static partial nuint SetThreadAffinityMask(nint thread, nuint mask);
    }
}
