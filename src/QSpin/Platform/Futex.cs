using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace QSpin.Platform;

/// <summary>
/// Linux's futex system call (FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE), through libc's <c>syscall</c>.
/// Only <see cref="WaitOnAddress"/> calls this, and only on Linux. Every entry point is
/// <see cref="MethodImplOptions.NoInlining"/> so that its P/Invoke is compiled into a method of its own
/// that no other platform ever compiles: a <see cref="SuppressGCTransitionAttribute"/> P/Invoke is
/// bound to its library when its caller is compiled, so inlined into shared code it made Windows fail
/// with DllNotFoundException ('libc') at the first kick, on a branch it never took.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class Futex
{
    /// <summary>The futex system call number of this process's architecture (0: unknown here).</summary>
    public static nint SyscallNumber { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        Architecture.RiscV64 => 98,
        Architecture.LoongArch64 => 98,
        Architecture.X86 => 240,
        Architecture.Arm => 240,
        _ => 0,
    };

    public static string Description => $"futex (syscall {SyscallNumber}, FUTEX_WAIT_PRIVATE/FUTEX_WAKE_PRIVATE)";

    private const int WaitPrivate = 0 | 128; // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
    private const int WakePrivate = 1 | 128; // FUTEX_WAKE | FUTEX_PRIVATE_FLAG

    /// <summary>FUTEX_WAIT: sleeps while <c>*address == expected</c>, at most <paramref name="timeoutNanoseconds"/> (-1: no limit).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Wait(int* address, int expected, long timeoutNanoseconds)
    {
        // Blocks in the kernel: a normal (GC-preemptive) P/Invoke, never SuppressGCTransition.
        if (timeoutNanoseconds < 0)
        {
            Syscall(SyscallNumber, address, WaitPrivate, expected, null, null, 0);
            return;
        }
        // FUTEX_WAIT takes a relative timeout: struct timespec { time_t tv_sec; long tv_nsec; }.
        nint* ts = stackalloc nint[2];
        ts[0] = (nint)(timeoutNanoseconds / 1_000_000_000);
        ts[1] = (nint)(timeoutNanoseconds % 1_000_000_000);
        Syscall(SyscallNumber, address, WaitPrivate, expected, ts, null, 0);
    }

    /// <summary>FUTEX_WAKE of one sleeper on <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void WakeOne(int* address) =>
        SyscallNoTransition(SyscallNumber, address, WakePrivate, 1, null, null, 0);

    // syscall(2) is variadic in C; on the Linux x64 and arm64 ABIs integer arguments of a variadic call
    // travel in the same registers as a fixed-argument call, so a fixed signature is exact here.
    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial nint Syscall(nint number, int* uaddr, int op, int val, void* timeout, void* uaddr2, int val3);

    // FUTEX_WAKE never blocks (it takes a bucket spinlock and returns), so the GC transition can go.
    [LibraryImport("libc", EntryPoint = "syscall")]
    [SuppressGCTransition]
    private static partial nint SyscallNoTransition(nint number, int* uaddr, int op, int val, void* timeout, void* uaddr2, int val3);
}
