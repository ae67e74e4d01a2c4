using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace QSpin;

/// <summary>
/// What went wrong while the calling thread was parked inside an acquisition, kept until the
/// acquisition ends. Once a waiter's node is published (the tail exchange), nothing may leave the
/// slow path by an exception: a node left linked and waiting by a thread that has gone is handed the
/// baton later, and nobody ever claims the lock again. So a failure of the platform wait (a
/// <see cref="Thread.Interrupt"/> landing in the portable monitor fallback, a native call that cannot
/// be bound) is caught where the thread parks and treated as a spurious wake-up; the waiter keeps its
/// place. When the acquisition is over, an interrupt is posted again on the thread (its next blocking
/// call throws <see cref="ThreadInterruptedException"/>, as if it had arrived just then), and any
/// other exception is rethrown from the entry point after the lock is released again, so that an
/// entry point that throws never leaves the lock held.
/// </summary>
internal static class DeferredFailure
{
    [ThreadStatic] private static bool t_interrupted;
    [ThreadStatic] private static ExceptionDispatchInfo? t_exception;

    // Set for good by the first failure this process ever records, so that the contended path reads
    // one ordinary static until then instead of two thread statics on every acquisition. Relaxed:
    // only the recording thread needs to see its own write.
    private static bool s_everRecorded;

    /// <summary>True when the calling thread's current acquisition caught a failure while parked.</summary>
    public static bool Pending
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_everRecorded && (t_interrupted || t_exception is not null);
    }

    /// <summary>Keeps <paramref name="e"/>, caught while parked, for the end of the acquisition (the first exception wins).</summary>
    public static void Record(Exception e)
    {
        s_everRecorded = true;
        if (e is ThreadInterruptedException) t_interrupted = true;
        else t_exception ??= ExceptionDispatchInfo.Capture(e);
    }

    /// <summary>
    /// The acquisition is over (<paramref name="acquired"/>: it holds the lock of <paramref name="word"/>):
    /// re-post a kept interrupt, and rethrow a kept exception after releasing the lock.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Raise<THeads>(ref int word, QSpinMode mode, bool acquired) where THeads : struct, IParkedHeads
    {
        if (t_interrupted)
        {
            t_interrupted = false;
            Thread.CurrentThread.Interrupt();
        }
        ExceptionDispatchInfo? e = t_exception;
        if (e is null) return;
        t_exception = null;
        if (acquired) WordLock<THeads>.ExitAs(ref word, mode);
        e.Throw();
    }
}
