using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace QSpin.Platform;

/// <summary>
/// Windows' <c>WaitOnAddress</c> / <c>WakeByAddressSingle</c> (Windows 8 and later). Only
/// <see cref="WaitOnAddress"/> calls this, and only on Windows; like <see cref="Futex"/>, each entry
/// point is <see cref="MethodImplOptions.NoInlining"/> so that its P/Invoke is compiled only where it runs.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class WindowsWaitOnAddress
{
    private const string Library = "api-ms-win-core-synch-l1-2-0.dll";

    public const string Description = "WaitOnAddress/WakeByAddressSingle (" + Library + ")";

    /// <summary>Sleeps while <c>*address == expected</c>, at most <paramref name="milliseconds"/> (uint.MaxValue: INFINITE).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Wait(int* address, int expected, uint milliseconds) =>
        WaitOnAddressNative(address, &expected, sizeof(int), milliseconds); // false on time-out: the caller re-checks either way

    /// <summary>Wakes one thread sleeping on <paramref name="address"/>, if any.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void WakeOne(int* address) => WakeByAddressSingleNative(address);

    [LibraryImport(Library, EntryPoint = "WaitOnAddress")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool WaitOnAddressNative(void* address, void* compareAddress, nint addressSize, uint milliseconds);

    [LibraryImport(Library, EntryPoint = "WakeByAddressSingle")]
    private static partial void WakeByAddressSingleNative(void* address);
}
