using System.Runtime.Versioning;

namespace QSpin.Platform;

/// <summary>
/// The kernel's pv_wait/pv_kick primitive for a process: sleep on a 32-bit word only while it holds an
/// expected value, and wake one sleeper on that word. Linux uses the futex system call
/// (<see cref="Futex"/>), Windows <c>WaitOnAddress</c>/<c>WakeByAddressSingle</c>
/// (<see cref="WindowsWaitOnAddress"/>), anything else a striped monitor fallback with the same
/// contract. Words passed here must live in memory the GC never moves (QSpin keeps them in native
/// memory). Spurious returns are allowed; callers re-check their condition.
/// </summary>
/// <remarks>
/// No P/Invoke may appear in this class: each platform's calls live in a class of their own, marked
/// with the platform (so the platform analyzer rejects a call without a guard) and reached only
/// through <see cref="System.Runtime.CompilerServices.MethodImplOptions.NoInlining"/> methods, so a
/// platform never compiles, and never binds, another platform's native calls. Tier-1 folds the guards
/// below (a static readonly field) and drops the other platforms' branches; Tier-0 folds nothing, and
/// compiles only the call instructions of those branches.
/// </remarks>
internal static unsafe class WaitOnAddress
{
    private enum Kind { Futex, Windows, Fallback }

    private static readonly Kind s_kind =
        OperatingSystem.IsLinux() && Futex.SyscallNumber != 0 ? Kind.Futex
        : OperatingSystem.IsWindows() ? Kind.Windows
        : Kind.Fallback;

    [SupportedOSPlatformGuard("linux")]
    private static bool UseFutex => s_kind == Kind.Futex;

    [SupportedOSPlatformGuard("windows")]
    private static bool UseWindows => s_kind == Kind.Windows;

    /// <summary>Which implementation this process uses, for <c>qspin info</c> and docs.</summary>
    public static string Implementation =>
        UseFutex ? Futex.Description
        : UseWindows ? WindowsWaitOnAddress.Description
        : "portable monitor fallback (no futex or WaitOnAddress on this OS)";

    /// <summary>
    /// Sleeps while <c>*address == expected</c>, for at most <paramref name="timeoutNanoseconds"/>
    /// (-1: no limit); may return spuriously.
    /// </summary>
    public static void Wait(int* address, int expected, long timeoutNanoseconds = -1)
    {
        if (TestHooks.Enabled && TestHooks.Wait is { } hook) { hook(address, expected); return; }
        if (UseFutex) Futex.Wait(address, expected, timeoutNanoseconds);
        else if (UseWindows) WindowsWaitOnAddress.Wait(address, expected, Milliseconds(timeoutNanoseconds));
        else Fallback.Wait(address, expected, timeoutNanoseconds < 0 ? Timeout.Infinite : (int)Math.Min(int.MaxValue, Milliseconds(timeoutNanoseconds)));
    }

    /// <summary>Nanoseconds rounded up to milliseconds; -1 to INFINITE.</summary>
    private static uint Milliseconds(long timeoutNanoseconds) =>
        timeoutNanoseconds < 0 ? uint.MaxValue : (uint)Math.Min(uint.MaxValue - 1, (timeoutNanoseconds + 999_999) / 1_000_000);

    /// <summary>Wakes one thread sleeping on <paramref name="address"/>, if any.</summary>
    public static void WakeOne(int* address)
    {
        if (TestHooks.Enabled && TestHooks.Wake is { } hook) { hook((nint)address); return; }
        if (UseFutex) Futex.WakeOne(address);
        else if (UseWindows) WindowsWaitOnAddress.WakeOne(address);
        else Fallback.WakeAll(address);
    }

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
