using System.Diagnostics;
using QSpin.Platform;

namespace QSpin;

/// <summary>
/// pv_wait and pv_kick for a thread slot (the kernel's vCPU): park on the slot's parking word, and
/// kick it, with the kick-to-wake latency counted when lock events are on.
/// </summary>
internal static unsafe class SlotParking
{
    /// <summary>
    /// Parks the calling thread, which owns <paramref name="slot"/>, until kicked or for at most
    /// <paramref name="timeoutNanoseconds"/> (-1: no limit). Never throws: the caller's node is in a
    /// queue, so a failure of the platform wait is kept for the end of the acquisition
    /// (<see cref="DeferredFailure"/>) and counts here as a spurious wake-up.
    /// </summary>
    public static void Park(int slot, long timeoutNanoseconds)
    {
        try
        {
            Parker.Park(ThreadSlots.ParkWord(slot), timeoutNanoseconds);
        }
        catch (Exception e)
        {
            DeferredFailure.Record(e);
        }
        if (LockEvents.Enabled) CountWake(slot);
    }

    /// <summary>Kicks the thread that owns <paramref name="slot"/>: it returns from its park, or does not sleep at its next one.</summary>
    public static void Kick(int slot)
    {
        if (LockEvents.Enabled) Atomic.StoreRelaxed(ThreadSlots.KickTime(slot), Stopwatch.GetTimestamp()); // statistics stamp, taken by the woken thread's exchange
        Parker.Kick(ThreadSlots.ParkWord(slot));
    }

    // pv_kick_wake / pv_latency_wake: time from the kicker's stamp to this thread running again.
    private static void CountWake(int slot)
    {
        long kicked = Atomic.Exchange(ThreadSlots.KickTime(slot), 0); // takes Kick's stamp
        if (kicked == 0) return;
        LockEvents.Inc(LockEvent.PvKickWake);
        LockEvents.Add(LockEvent.PvLatencyWake, LockEvents.NanosecondsSince(kicked));
    }
}
