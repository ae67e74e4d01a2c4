using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace QSpin.Platform;

/// <summary>
/// Whether <see cref="Interlocked.MemoryBarrierProcessWide"/> really makes every other running thread
/// of the process pass a full fence here, decided once at start-up. The paravirt unlock's handshake
/// relies on it (docs/design.md, "The unlock without an atomic"); where it cannot, the unlock puts a
/// full fence between its store and its load instead (<see cref="Atomic.FullFence"/>), and the JIT
/// folds the choice away as it folds the mode.
/// </summary>
/// <remarks>
/// Reliable: Linux with <c>membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)</c> (since 4.14; the runtime
/// registers for it at start-up), Linux x64 without it (the runtime's <c>mprotect</c> fallback makes
/// the kernel send TLB-shootdown IPIs), Windows (<c>FlushProcessWriteBuffers</c>) and macOS (the
/// runtime interrupts each thread to read its registers). Not reliable: Linux on other architectures
/// without membarrier (arm64 invalidates TLBs by broadcast, with no IPI, so the fallback fences
/// nothing remotely) and Wine, whose <c>NtFlushProcessWriteBuffers</c> is a stub (Wine 8.0).
/// </remarks>
internal static partial class ProcessBarrier
{
    /// <summary>True where the process-wide barrier can carry the unlock's side of the handshake.</summary>
    public static bool IsReliable
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_reliable;
    }

    private static readonly bool s_reliable = Probe(out s_description);

    private static readonly string s_description;

    /// <summary>What was found, for <c>qspin info</c>.</summary>
    public static string Description => s_description;

    private static bool Probe(out string description)
    {
        if (OperatingSystem.IsWindows())
        {
            if (IsWine())
            {
                description = "Wine: NtFlushProcessWriteBuffers is a stub, so the paravirt unlock fences";
                return false;
            }
            description = "FlushProcessWriteBuffers";
            return true;
        }
        if (OperatingSystem.IsLinux())
        {
            if (LinuxMembarrier.HasPrivateExpedited())
            {
                description = "membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)";
                return true;
            }
            if (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86)
            {
                description = "no membarrier; the runtime's mprotect fallback (TLB-shootdown IPIs on x86)";
                return true;
            }
            description = "no membarrier on this architecture, so the paravirt unlock fences";
            return false;
        }
        if (OperatingSystem.IsMacOS())
        {
            description = "the runtime's thread-register reads";
            return true;
        }
        description = "unknown platform, so the paravirt unlock fences";
        return false;
    }

    private static bool IsWine() =>
        NativeLibrary.TryLoad("ntdll.dll", out nint ntdll) && NativeLibrary.TryGetExport(ntdll, "wine_get_version", out _);
}

/// <summary>Linux's membarrier system call, queried once (<see cref="ProcessBarrier"/>).</summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxMembarrier
{
    private const int CmdQuery = 0;
    private const int CmdPrivateExpedited = 1 << 3;
    private const int CmdRegisterPrivateExpedited = 1 << 4;

    private static nint SyscallNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 324,
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 283,
        Architecture.X86 => 375,
        Architecture.Arm => 389,
        _ => 0,
    };

    /// <summary>True when the kernel offers the private expedited command and this process is registered for it (registering is idempotent).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool HasPrivateExpedited()
    {
        nint number = SyscallNumber;
        if (number == 0) return false;
        nint mask = Syscall(number, CmdQuery, 0, 0);
        return mask >= 0 && (mask & CmdPrivateExpedited) != 0 && Syscall(number, CmdRegisterPrivateExpedited, 0, 0) == 0;
    }

    // syscall(2) is variadic; integer arguments travel as in a fixed call on the Linux ABIs (see Futex).
    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial nint Syscall(nint number, int cmd, uint flags, int cpuId);
}
