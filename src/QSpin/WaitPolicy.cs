using System.Diagnostics;
using System.Runtime.CompilerServices;
using QSpin.Platform;

namespace QSpin;

/// <summary>
/// How long a contended acquisition may wait. The slow paths are generic over this struct, so the
/// JIT compiles an untimed copy (<see cref="Forever"/>) in which every give-up check is a constant
/// false and disappears, and a timed copy (<see cref="Until"/>).
/// </summary>
internal interface IWaitPolicy
{
    /// <summary>False for <see cref="Forever"/>: the waiter can never abandon its place.</summary>
    static abstract bool CanGiveUp { get; }

    /// <summary>True once the deadline passed or cancellation was requested.</summary>
    bool ShouldGiveUp();

    /// <summary>Nanoseconds left before the deadline, or -1 for no deadline (for timed parking).</summary>
    long RemainingNanoseconds();

    /// <summary>Arranges for cancellation to kick the slot's parked thread; dispose the result when done.</summary>
    CancellationTokenRegistration WakeOnCancel(int slot);
}

/// <summary>Wait until the lock is acquired (Enter).</summary>
internal struct Forever : IWaitPolicy
{
    public static bool CanGiveUp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool ShouldGiveUp() => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly long RemainingNanoseconds() => -1;

    public readonly CancellationTokenRegistration WakeOnCancel(int slot) => default;
}

/// <summary>Wait until a deadline and/or cancellation (TryEnter with a timeout, Enter with a token).</summary>
internal readonly struct Until(long deadlineTimestamp, CancellationToken token) : IWaitPolicy
{
    /// <summary>A <see cref="Stopwatch"/> timestamp, or <see cref="long.MaxValue"/> for no deadline.</summary>
    private readonly long _deadline = deadlineTimestamp;
    private readonly CancellationToken _token = token;

    public static bool CanGiveUp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => true;
    }

    /// <summary>This policy with its deadline moved earlier to <paramref name="other"/>'s if that is sooner.</summary>
    public Until WithDeadlineNoLaterThan(Until other) => new(Math.Min(_deadline, other._deadline), _token);

    public static Until After(int milliseconds, CancellationToken token) =>
        new(milliseconds < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + milliseconds * Stopwatch.Frequency / 1000, token);

    public bool ShouldGiveUp() =>
        (TestHooks.Enabled && TestHooks.GiveUp is { } hook && hook())
        || _token.IsCancellationRequested
        || (_deadline != long.MaxValue && Stopwatch.GetTimestamp() >= _deadline);

    public long RemainingNanoseconds()
    {
        if (_deadline == long.MaxValue) return -1;
        long ticks = _deadline - Stopwatch.GetTimestamp();
        return ticks <= 0 ? 0 : (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));
    }

    public CancellationTokenRegistration WakeOnCancel(int slot) =>
        _token.CanBeCanceled ? _token.UnsafeRegister(static s => SlotParking.Kick((int)s!), slot) : default;
}
