using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QSpin.Platform;

/// <summary>
/// The kernel's pv_wait/pv_kick primitive for a process: sleep on a 32-bit word only while it holds an
/// expected value, and wake one sleeper on that word. Linux uses the futex system call, Windows
/// <c>WaitOnAddress</c>/<c>WakeByAddressSingle</c>, anything else a striped monitor fallback with the
/// same contract. Words passed here must live in memory the GC never moves (QSpin keeps them in
/// native memory). Spurious returns are allowed; callers re-check their condition.
/// </summary>
internal static unsafe partial class WaitOnAddress
{
    private enum Kind { Futex, Windows, Fallback }

    private static readonly Kind s_kind =
        OperatingSystem.IsLinux() && FutexSyscallNumber() != 0 ? Kind.Futex
        : OperatingSystem.IsWindows() ? Kind.Windows
        : Kind.Fallback;

    private static readonly nint s_futexNr = FutexSyscallNumber();

    /// <summary>Which implementation this process uses, for <c>qspin info</c> and docs.</summary>
    public static string Implementation => s_kind switch
    {
        Kind.Futex => $"futex (syscall {s_futexNr}, FUTEX_WAIT_PRIVATE/FUTEX_WAKE_PRIVATE)",
        Kind.Windows => "WaitOnAddress/WakeByAddressSingle",
        _ => "portable monitor fallback",
    };

    /// <summary>
    /// Sleeps while <c>*address == expected</c>, for at most <paramref name="timeoutNanoseconds"/>
    /// (-1: no limit); may return spuriously.
    /// </summary>
    public static void Wait(int* address, int expected, long timeoutNanoseconds = -1)
    {
        if (TestHooks.Enabled && TestHooks.Wait is { } hook) { hook(address, expected); return; }
        switch (s_kind)
        {
            case Kind.Futex:
                // Blocks in the kernel: a normal (GC-preemptive) P/Invoke, never SuppressGCTransition.
                if (timeoutNanoseconds < 0)
                {
                    Syscall(s_futexNr, address, FutexWaitPrivate, expected, null, null, 0);
                }
                else
                {
                    // FUTEX_WAIT takes a relative timeout: struct timespec { time_t tv_sec; long tv_nsec; }.
                    nint* ts = stackalloc nint[2];
                    ts[0] = (nint)(timeoutNanoseconds / 1_000_000_000);
                    ts[1] = (nint)(timeoutNanoseconds % 1_000_000_000);
                    Syscall(s_futexNr, address, FutexWaitPrivate, expected, ts, null, 0);
                }
                break;
            case Kind.Windows:
                WaitOnAddressWin(address, &expected, sizeof(int), Milliseconds(timeoutNanoseconds));
                break;
            default:
                Fallback.Wait(address, expected, timeoutNanoseconds < 0 ? Timeout.Infinite : (int)Math.Min(int.MaxValue, Milliseconds(timeoutNanoseconds)));
                break;
        }
    }

    /// <summary>Nanoseconds rounded up to milliseconds; -1 to INFINITE.</summary>
    private static uint Milliseconds(long timeoutNanoseconds) =>
        timeoutNanoseconds < 0 ? uint.MaxValue : (uint)Math.Min(uint.MaxValue - 1, (timeoutNanoseconds + 999_999) / 1_000_000);

    /// <summary>Wakes one thread sleeping on <paramref name="address"/>, if any.</summary>
    public static void WakeOne(int* address)
    {
        if (TestHooks.Enabled && TestHooks.Wake is { } hook) { hook((nint)address); return; }
        switch (s_kind)
        {
            case Kind.Futex:
                SyscallNoTransition(s_futexNr, address, FutexWakePrivate, 1, null, null, 0);
                break;
            case Kind.Windows:
                WakeByAddressSingleWin(address);
                break;
            default:
                Fallback.WakeAll(address);
                break;
        }
    }

    private const int FutexWaitPrivate = 0 | 128; // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
    private const int FutexWakePrivate = 1 | 128; // FUTEX_WAKE | FUTEX_PRIVATE_FLAG

    private static nint FutexSyscallNumber() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        Architecture.RiscV64 => 98,
        Architecture.LoongArch64 => 98,
        Architecture.X86 => 240,
        Architecture.Arm => 240,
        _ => 0,
    };

    // syscall(2) is variadic in C; on the Linux x64 and arm64 ABIs integer arguments of a variadic call
    // travel in the same registers as a fixed-argument call, so a fixed signature is exact here.
    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial nint Syscall(nint number, int* uaddr, int op, int val, void* timeout, void* uaddr2, int val3);

    // FUTEX_WAKE never blocks (it takes a bucket spinlock and returns), so the GC transition can go.
    [LibraryImport("libc", EntryPoint = "syscall")]
    [SuppressGCTransition]
    private static partial nint SyscallNoTransition(nint number, int* uaddr, int op, int val, void* timeout, void* uaddr2, int val3);

    [LibraryImport("api-ms-win-core-synch-l1-2-0.dll", EntryPoint = "WaitOnAddress")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool WaitOnAddressWin(void* address, void* compareAddress, nint addressSize, uint milliseconds);

    [LibraryImport("api-ms-win-core-synch-l1-2-0.dll", EntryPoint = "WakeByAddressSingle")]
    private static partial void WakeByAddressSingleWin(void* address);

    /// <summary>
    /// Portable fallback: a fixed table of monitors striped by address. A waiter re-checks the word
    /// under the stripe's monitor before waiting and a waker pulses under it, so a wake that follows a
    /// change of the word cannot be lost. Pulses wake the whole stripe (addresses may share one).
    /// </summary>
    private static class Fallback
    {
        private static readonly object[] s_stripes = CreateStripes(64);

        private static object[] CreateStripes(int n)
        {
            var a = new object[n];
            for (int i = 0; i < n; i++) a[i] = new object();
            return a;
        }

        private static object StripeOf(int* address) => s_stripes[(int)(((nuint)address >> 6) % (nuint)s_stripes.Length)];

        /// <summary>
        /// A <see cref="Thread.Interrupt"/> that lands here (entering the monitor or waiting on it)
        /// leaves as <see cref="ThreadInterruptedException"/>: <see cref="Parker.Park"/> keeps it for
        /// the end of the acquisition (DeferredFailure), so it is neither lost nor thrown out of a queue.
        /// </summary>
        public static void Wait(int* address, int expected, int timeoutMilliseconds)
        {
            object m = StripeOf(address);
            lock (m)
            {
                // The monitor's acquire orders this read after the waker's write of the word.
                if (Volatile.Read(ref *address) != expected) return;
                Monitor.Wait(m, timeoutMilliseconds);
            }
        }

        /// <summary>
        /// Wakes the stripe. The wake must be delivered whatever happens, since the waker has already
        /// changed the word: an interrupt that lands while entering the monitor is held back until the
        /// pulse is done, then posted again on the thread.
        /// </summary>
        public static void WakeAll(int* address)
        {
            object m = StripeOf(address);
            bool interrupted = false;
            while (true)
            {
                try
                {
                    lock (m) Monitor.PulseAll(m);
                    break;
                }
                catch (ThreadInterruptedException)
                {
                    interrupted = true; // consumed: the next Monitor.Enter blocks normally
                }
            }
            if (interrupted) Thread.CurrentThread.Interrupt();
        }
    }
}
