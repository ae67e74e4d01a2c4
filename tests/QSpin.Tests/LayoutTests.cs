using System.Runtime.CompilerServices;

namespace QSpin.Tests;

/// <summary>What the code assumes of the lock object's layout.</summary>
public class LayoutTests
{
    [Fact]
    public void ThePvHeadFieldIsTheWordRightAfterTheLockWord()
    {
        // NextWordHead finds a QSpinLock's parked-head record from a reference to its lock word alone.
        var l = new QSpinLock();
        Assert.Equal(sizeof(int), (int)Unsafe.ByteOffset(ref l.Word, ref l.PvHead));
    }
}
