namespace QSpin.Coyote.Tests;

/// <summary>
/// One lock a scenario's tasks contend for, through the real mode-explicit entry points of its shape:
/// a <see cref="QSpinLock"/> (parked head in its <c>PvHead</c> field) or one element of a
/// <see cref="QSpinLockArray"/> (parked head in the process-wide pv hash, <see cref="HashedHeads"/>).
/// </summary>
internal abstract class LockUnderTest
{
    public abstract bool EnterAs(QSpinMode mode);

    public abstract bool EnterAs(QSpinMode mode, Until limit);

    public abstract bool TryEnter();

    public abstract void ExitAs(QSpinMode mode);

    /// <summary>The lock word, read plainly (no scheduling point): for coverage samples and end checks.</summary>
    public abstract int Word { get; }

    /// <summary>The recorded parked head if the lock has a field for it (plain read), else 0.</summary>
    public abstract int RecordedHead { get; }

    /// <summary>With <see cref="Scenario.HeadsStarve"/>: the slot a sample saw recorded as this lock's parked head, which must take it next; -1: none.</summary>
    public int StarvingHeadSlot = -1;

    /// <summary>For messages and the replay story.</summary>
    public abstract string Name { get; }

    public string Describe() => $"{Name} {LockWord.Describe(Word)}{(RecordedHead != 0 ? $", PvHead slot {LockWord.TailSlot(RecordedHead)}" : "")}";
}

/// <summary>A <see cref="QSpinLock"/>: <c>WordLock&lt;NextWordHead&gt;</c>.</summary>
internal sealed class ObjectLock(QSpinLock lck) : LockUnderTest
{
    public override bool EnterAs(QSpinMode mode) => lck.EnterAs(mode);

    public override bool EnterAs(QSpinMode mode, Until limit) => lck.EnterAs(mode, limit);

    public override bool TryEnter() => lck.TryEnter();

    public override void ExitAs(QSpinMode mode) => lck.ExitAs(mode);

    public override int Word => lck.Word;

    public override int RecordedHead => lck.PvHead;

    public override string Name => "lock";
}

/// <summary>Element <paramref name="index"/> of a <see cref="QSpinLockArray"/>: <c>WordLock&lt;HashedHeads&gt;</c>.</summary>
internal sealed class ArrayElement(QSpinLockArray array, int index) : LockUnderTest
{
    public override bool EnterAs(QSpinMode mode) => array.EnterAs(index, mode);

    public override bool EnterAs(QSpinMode mode, Until limit) => array.EnterAs(index, mode, limit);

    public override bool TryEnter() => array.TryEnter(index);

    public override void ExitAs(QSpinMode mode) => array.ExitAs(index, mode);

    public override int Word => array.WordOf(index);

    /// <summary>0: the record is in the hash table, which only <see cref="Atomic"/> reads (a scheduling point, so not from a sample).</summary>
    public override int RecordedHead => 0;

    public override string Name => $"array[{index}]";
}
