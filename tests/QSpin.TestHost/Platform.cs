using System.Runtime.InteropServices;
using QSpin;
using QSpin.Platform;

namespace QSpin.TestHost;

/// <summary>
/// What QSpin assumes of the platform, checked where it runs (arm64 under qemu, Windows under Wine):
/// the little-endian sub-word views of the lock word, and the wait primitive really sleeping until
/// woken (a wrong futex syscall number would return at once). Prints the facts and one line of checks.
/// </summary>
internal static unsafe class Platform
{
    public static int Run()
    {
        string os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : RuntimeInformation.OSDescription;
        string futex = OperatingSystem.IsLinux() ? Futex.SyscallNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
        Console.WriteLine($"platform os={os} arch={RuntimeInformation.ProcessArchitecture} littleEndian={BitConverter.IsLittleEndian} futex={futex} config-error={QSpinOps.ConfigurationError ?? "none"}");
        Console.WriteLine($"wait={WaitOnAddress.Implementation}");
        var checks = new Checks();
        int* native = (int*)NativeMemory.AllocZeroed(sizeof(int));
        try
        {
            checks.Run("views-native-memory", () => SubWordViews(ref *native));
            var l = new QSpinLock();
            checks.Run("views-lock-object", () => SubWordViews(ref l.Word));
            checks.Run("wait-sleeps-until-woken", () => WaitSleepsUntilWoken(native));
            checks.Run("timed-wait-returns", () => TimedWaitReturns(native));
        }
        finally
        {
            NativeMemory.Free(native);
        }
        return checks.Report("platform-checks");
    }

    /// <summary>Each view names the bytes the lock's layout says, with plain stores and with the atomics the lock uses on them.</summary>
    private static string? SubWordViews(ref int word)
    {
        word = 0;
        LockWord.LockedByte(ref word) = LockWord.Locked;
        if (word != 0x0000_0001) return $"locked byte store gave 0x{word:x8}";
        LockWord.PendingByte(ref word) = 1;
        if (word != 0x0000_0101) return $"pending byte store gave 0x{word:x8}";
        LockWord.Tail(ref word) = 0xABCD;
        if (word != unchecked((int)0xABCD_0101)) return $"tail store gave 0x{word:x8}";
        if (LockWord.LockedPending(ref word) != 0x0101) return $"locked+pending reads 0x{LockWord.LockedPending(ref word):x4}";
        if (Interlocked.CompareExchange(ref LockWord.LockedPending(ref word), (ushort)LockWord.Locked, (ushort)0x0101) != 0x0101 || word != unchecked((int)0xABCD_0001))
            return $"16-bit CAS of locked+pending gave 0x{word:x8}";
        if (Interlocked.Exchange(ref LockWord.Tail(ref word), (ushort)0x1234) != 0xABCD || word != 0x1234_0001)
            return $"16-bit exchange of the tail gave 0x{word:x8}";
        if (Interlocked.CompareExchange(ref LockWord.LockedByte(ref word), (byte)0, (byte)LockWord.Locked) != LockWord.Locked || word != 0x1234_0000)
            return $"byte CAS of the locked byte gave 0x{word:x8}";
        if (Interlocked.CompareExchange(ref word, 0, 0x1234_0000) != 0x1234_0000 || word != 0) return $"word CAS gave 0x{word:x8}";
        return null;
    }

    /// <summary>An untimed wait stays asleep while nobody wakes it (200 ms here), and returns once the word changes and a wake comes.</summary>
    private static string? WaitSleepsUntilWoken(int* word)
    {
        *word = 0;
        var sleeper = new Thread(() => WaitOnAddress.Wait(word, 0)) { IsBackground = true };
        sleeper.Start();
        if (sleeper.Join(200)) return "the untimed wait returned without a wake (wrong system call or primitive?)";
        Volatile.Write(ref *word, 1); // a sleeper that has not slept yet sees the change and returns
        WaitOnAddress.WakeOne(word);
        return sleeper.Join(TimeSpan.FromSeconds(60)) ? null : "the wake did not wake the sleeper";
    }

    private static string? TimedWaitReturns(int* word)
    {
        *word = 0;
        var sleeper = new Thread(() => WaitOnAddress.Wait(word, 0, timeoutNanoseconds: 20_000_000)) { IsBackground = true };
        sleeper.Start();
        return sleeper.Join(TimeSpan.FromSeconds(60)) ? null : "a 20 ms wait did not return within 60 s";
    }
}
