using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QSpin;

/// <summary>
/// An array of queued spinlocks of 4 bytes each, the Linux kernel's <c>struct qspinlock</c> shape, for
/// lock striping and per-bucket locks (storage engines, caches, hash maps with millions of locks):
/// element <c>i</c> is a lock with exactly the semantics of a <see cref="QSpinLock"/>, fair, parking
/// in paravirt mode, with timed and cancellable waits, lock events and checked mode.
/// </summary>
/// <remarks>
/// <para>
/// The lock words live on the pinned object heap, where the GC never moves them: a paravirt unlock
/// finds a parked queue head through a process-wide hash table keyed by the word's address (the
/// kernel's pv_hash), which must not change while a head is registered. A million locks take 4 MB
/// (<see cref="QSpinLockArray(int)"/>, dense: neighbouring locks share cache lines, so threads taking
/// different locks of one line still contend for the line) or 64 MB (<see cref="Padded"/>: one lock
/// per 64-byte line). The first array of a process also reserves the 512 KB hash table (zeroed pages, touched only where records land).
/// </para>
/// <para>
/// Like <see cref="QSpinLock"/>, no element is reentrant or owner-checked outside checked mode, and
/// in native mode <see cref="Exit"/> is the bounds check and one byte store.
/// </para>
/// </remarks>
public sealed unsafe class QSpinLockArray
{
    /// <summary>Bytes per lock in a <see cref="Padded"/> array: one cache line.</summary>
    private const int PaddedBytes = 64;
    private const int PaddedShift = 4; // 16 ints of 4 bytes

    /// <summary>Largest length of a padded array (its words must fit one .NET array).</summary>
    private const int MaxPaddedLength = (int.MaxValue - 64) >> PaddedShift >> 1;

    private readonly int[] _words; // pinned: the hash table keys parked heads by word address
    private readonly int* _base;   // lock 0's word in _words (a padded array's first line boundary)
    private readonly int _shift;   // log2 of the ints per lock: 0 dense, 4 padded
    private readonly int _length;

    /// <summary>Creates <paramref name="length"/> unlocked locks of 4 bytes each, packed densely.</summary>
    /// <param name="length">The number of locks; 0 is allowed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The process's <c>QSPIN_MODE</c> or <c>QSpin.Mode</c> setting is invalid.</exception>
    /// <exception cref="PlatformNotSupportedException">The runtime placed the lock words at or above address 2^48 (x64 and arm64 user space stays below it unless a process asks for more).</exception>
    /// <exception cref="OutOfMemoryException">The locks cannot be allocated.</exception>
    /// <exception cref="TypeInitializationException">The first array of the process could not reserve the process's parked-head table (then no array can be created).</exception>
    public QSpinLockArray(int length) : this(length, 0)
    {
    }

    private QSpinLockArray(int length, int shift)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (shift != 0 && length > MaxPaddedLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A padded QSpinLockArray holds at most {MaxPaddedLength} locks (64 bytes each).");
        QSpinOps.ThrowIfInvalid();
        HashedHeads.Prepare();

        int align = shift == 0 ? 0 : PaddedBytes / sizeof(int) - 1;
        _words = GC.AllocateArray<int>((length << shift) + align, pinned: true);
        nuint start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_words)); // pinned: stays valid
        int first = shift == 0 ? 0 : (int)((PaddedBytes - (start & (PaddedBytes - 1))) & (PaddedBytes - 1)) / sizeof(int);
        _base = (int*)start + first;
        _shift = shift;
        _length = length;
        nuint end = start + (nuint)_words.Length * sizeof(int);
        if (!HashedHeads.CanKey(start) || !HashedHeads.CanKey(end))
            throw new PlatformNotSupportedException($"QSpinLockArray needs its lock words below 2^48 for the parked-head table; the runtime placed them at 0x{start:x}.");
    }

    /// <summary>Creates <paramref name="length"/> unlocked locks, each on its own 64-byte cache line, for lock striping.</summary>
    /// <param name="length">The number of locks; 0 is allowed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative, or too large for 64 bytes per lock in one array.</exception>
    /// <exception cref="InvalidOperationException">The process's <c>QSPIN_MODE</c> or <c>QSpin.Mode</c> setting is invalid.</exception>
    /// <exception cref="PlatformNotSupportedException">The runtime placed the lock words at or above address 2^48.</exception>
    /// <exception cref="OutOfMemoryException">The locks cannot be allocated.</exception>
    /// <exception cref="TypeInitializationException">The first array of the process could not reserve the process's parked-head table (then no array can be created).</exception>
    public static QSpinLockArray Padded(int length) => new(length, PaddedShift);

    /// <summary>The number of locks.</summary>
    public int Length => _length;

    /// <summary>True if each lock has its own 64-byte cache line (<see cref="Padded"/>).</summary>
    public bool IsPadded => _shift != 0;

    /// <summary>
    /// The lock word of element <paramref name="index"/>, after the bounds check. A reference made from
    /// the pinned array's address: the GC reports it as an interior pointer into <c>_words</c>, so a
    /// waiter holding it keeps the words alive, and the words never move.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int Word(int index)
    {
        if ((uint)index >= (uint)_length) ThrowIndexOutOfRange(index, _length);
        return ref _base[(nint)index << _shift];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowIndexOutOfRange(int index, int length) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"The index must be at least 0 and less than the array's length, {length}.");

    /// <summary>Acquires lock <paramref name="index"/>, waiting as long as necessary, in arrival order (as <see cref="QSpinLock.Enter()"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not less than <see cref="Length"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter(int index)
    {
        ref int word = ref Word(index);
        if (CheckedMode.Enabled)
        {
            CheckedMode.Enter(new CheckedLock(this, index), QSpinOps.Current, null);
            return;
        }
        int seen = WordLock<HashedHeads>.FastPath(ref word, QSpinOps.Current);
        if (seen != 0) EnterContended(ref word, seen, index);
    }

    /// <summary>
    /// Acquires lock <paramref name="index"/>, waiting until it is acquired or
    /// <paramref name="cancellationToken"/> is cancelled; a cancelled waiter leaves the queue.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested before the lock was acquired.</exception>
    public void Enter(int index, CancellationToken cancellationToken)
    {
        ref int word = ref Word(index);
        cancellationToken.ThrowIfCancellationRequested();
        var limit = new Until(long.MaxValue, cancellationToken);
        bool acquired = CheckedMode.Enabled ? CheckedMode.Enter(new CheckedLock(this, index), QSpinOps.Current, limit)
            : cancellationToken.CanBeCanceled ? WordLock<HashedHeads>.EnterAs(ref word, QSpinOps.Current, limit, this, index)
            : WordLock<HashedHeads>.EnterAs(ref word, QSpinOps.Current, this, index);
        if (!acquired) throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Acquires lock <paramref name="index"/> only if it is free and nobody is waiting for it; never waits or queues.</summary>
    /// <returns>True if the lock was acquired.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter(int index)
    {
        ref int word = ref Word(index);
        if (CheckedMode.Enabled) return CheckedMode.TryEnter(new CheckedLock(this, index));
        return WordLock<HashedHeads>.TryEnter(ref word);
    }

    /// <summary>Tries to acquire lock <paramref name="index"/>, waiting at most <paramref name="millisecondsTimeout"/> milliseconds (as <see cref="QSpinLock.TryEnter(int)"/>).</summary>
    /// <param name="index">The lock.</param>
    /// <param name="millisecondsTimeout">The longest wait in milliseconds; <see cref="Timeout.Infinite"/> (-1) waits forever, 0 never waits.</param>
    /// <returns>True if the lock was acquired, false if the timeout passed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range, or <paramref name="millisecondsTimeout"/> is less than -1.</exception>
    public bool TryEnter(int index, int millisecondsTimeout)
    {
        ref int word = ref Word(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(millisecondsTimeout, Timeout.Infinite);
        if (millisecondsTimeout == 0) return TryEnter(index);
        Until limit = Until.After(millisecondsTimeout, default);
        if (CheckedMode.Enabled) return CheckedMode.Enter(new CheckedLock(this, index), QSpinOps.Current, millisecondsTimeout == Timeout.Infinite ? null : limit);
        return millisecondsTimeout == Timeout.Infinite
            ? WordLock<HashedHeads>.EnterAs(ref word, QSpinOps.Current, this, index)
            : WordLock<HashedHeads>.EnterAs(ref word, QSpinOps.Current, limit, this, index);
    }

    /// <summary>Tries to acquire lock <paramref name="index"/>, waiting at most <paramref name="timeout"/> (as <see cref="QSpinLock.TryEnter(TimeSpan)"/>).</summary>
    /// <param name="index">The lock.</param>
    /// <param name="timeout">The longest wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever, <see cref="TimeSpan.Zero"/> never waits.</param>
    /// <returns>True if the lock was acquired, false if the timeout passed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range, or <paramref name="timeout"/> is negative (other than -1 ms) or more than <see cref="int.MaxValue"/> milliseconds.</exception>
    public bool TryEnter(int index, TimeSpan timeout)
    {
        Word(index);
        long ms = (long)timeout.TotalMilliseconds;
        if (ms < -1 || ms > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be -1 ms (infinite) or between 0 and Int32.MaxValue milliseconds.");
        return TryEnter(index, (int)ms);
    }

    /// <summary>Releases lock <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="SynchronizationLockException">In checked mode: the calling thread does not hold it (outside checked mode, exiting a free index leaves it free).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit(int index)
    {
        ref int word = ref Word(index);
        if (CheckedMode.Enabled) CheckedMode.Exit(new CheckedLock(this, index), QSpinOps.Current);
        else WordLock<HashedHeads>.ExitAs(ref word, QSpinOps.Current);
    }

    /// <summary>Acquires lock <paramref name="index"/> and returns a scope whose <see cref="Scope.Dispose"/> releases it: <c>using (locks.EnterScope(i)) { ... }</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Scope EnterScope(int index)
    {
        Enter(index);
        return new Scope(this, index);
    }

    /// <summary>True while some thread holds lock <paramref name="index"/> (a racy snapshot).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public bool IsLocked(int index) => (Atomic.LoadRelaxed(ref Word(index)) & LockWord.LockedMask) != 0;

    /// <summary>True while threads wait for lock <paramref name="index"/>: a pending waiter or a non-empty queue (a racy snapshot).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public bool IsContended(int index) => (Atomic.LoadRelaxed(ref Word(index)) & ~LockWord.LockedMask) != 0;

    /// <summary>True if the calling thread holds lock <paramref name="index"/>. Available in checked mode only.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">Checked mode is off: ownership is not tracked.</exception>
    public bool IsHeldByCurrentThread(int index)
    {
        Word(index);
        if (!CheckedMode.Enabled)
            throw new InvalidOperationException(
                "QSpinLockArray tracks owners only in checked mode: set the environment variable QSPIN_CHECKED=1 or the AppContext switch QSpin.Checked before the first lock is used.");
        return CheckedMode.IsHeldByCurrentThread(new CheckedLock(this, index));
    }

    /// <summary>The array's shape, for diagnostics.</summary>
    public override string ToString() => $"QSpinLockArray[{_length}]{(IsPadded ? " padded" : "")}";

    /// <summary>Lock <paramref name="index"/>'s word decoded, for diagnostics.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public string Describe(int index) => $"QSpinLockArray[{index}] " + LockWord.Describe(Atomic.LoadRelaxed(ref Word(index)));

    // ---- The contended path and the mode-explicit entry points (checked mode, tests, bench). ----

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended(ref int word, int seen, int index)
    {
        var forever = new Forever();
        WordLock<HashedHeads>.EnterContended(ref word, QSpinOps.Current, seen, ref forever, this, index);
    }

    /// <summary>The lock word of element <paramref name="index"/> (tests: the word's layout and transitions).</summary>
    internal ref int WordOf(int index) => ref Word(index);

    internal bool TryEnterUnchecked(int index) => WordLock<HashedHeads>.TryEnter(ref Word(index));

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal bool EnterAs(int index, QSpinMode mode) => WordLock<HashedHeads>.EnterAs(ref Word(index), mode, this, index);

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal bool EnterAs(int index, QSpinMode mode, Until limit) => WordLock<HashedHeads>.EnterAs(ref Word(index), mode, limit, this, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ExitAs(int index, QSpinMode mode) => WordLock<HashedHeads>.ExitAs(ref Word(index), mode);

    /// <summary>One lock of a <see cref="QSpinLockArray"/>, as <see cref="QSpinDeadlockException.Locks"/> names it.</summary>
    /// <param name="Array">The array.</param>
    /// <param name="Index">The lock's index in <paramref name="Array"/>.</param>
    public readonly record struct Element(QSpinLockArray Array, int Index)
    {
        /// <summary>The array and index, for messages.</summary>
        public override string ToString() => $"QSpinLockArray@{RuntimeHelpers.GetHashCode(Array):x8}[{Index}]";
    }

    /// <summary>Releases its lock when disposed. Obtained from <see cref="EnterScope"/>.</summary>
    public ref struct Scope
    {
        private QSpinLockArray? _locks;
        private readonly int _index;

        internal Scope(QSpinLockArray locks, int index)
        {
            _locks = locks;
            _index = index;
        }

        /// <summary>Releases the lock; a second call does nothing.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose()
        {
            QSpinLockArray? l = _locks;
            if (l is not null)
            {
                _locks = null;
                l.Exit(_index);
            }
        }
    }
}
