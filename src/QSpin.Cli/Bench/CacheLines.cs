using System.Runtime.CompilerServices;

namespace QSpin.Cli.Bench;

/// <summary>Cache lines in a pinned array of longs, so that shared words sit on lines of their own.</summary>
internal static class CacheLines
{
    /// <summary>Bytes in a cache line on x64 and on the arm64 cores .NET runs on.</summary>
    public const int LineBytes = 64;

    /// <summary>Longs in a cache line.</summary>
    public const int LongsPerLine = LineBytes / sizeof(long);

    /// <summary>
    /// A pinned array with <paramref name="lines"/> whole 64-byte-aligned lines in it, and the index of
    /// the first: the array is one line longer than needed, so the aligned lines always fit.
    /// </summary>
    public static unsafe (long[] Data, int Base) Allocate(int lines)
    {
        long[] data = GC.AllocateArray<long>((lines + 1) * LongsPerLine, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref data[0]);
        return (data, (int)((LineBytes - (address & (LineBytes - 1))) & (LineBytes - 1)) / sizeof(long));
    }
}
