using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// Contention events in the shape of the runtime's own (Microsoft-Windows-DotNETRuntime
/// ContentionStart_V2 / ContentionStop_V1), so tools that understand those read these: a start when a
/// thread leaves the fast path, a stop with the wait's duration when it owns the lock. Costs one
/// enabled-check on the contended path only, and nothing on the fast path.
/// </summary>
[EventSource(Name = QSpinStats.MeterName)]
internal sealed class QSpinEventSource : EventSource
{
    public static readonly QSpinEventSource Log = new();

    /// <summary>Event ids, as the runtime's numbering is runtime-specific these are our own.</summary>
    public const int ContentionStartId = 1, ContentionStopId = 2;

    private QSpinEventSource() { }

    /// <summary>Flags as in the runtime's event: 0 = managed lock (QSpin never blocks natively on behalf of the caller).</summary>
    private const byte ManagedFlag = 0;

    /// <summary>
    /// The lock's identity for events, stable while the object moves: the object's hash code, and for
    /// an element of a <see cref="QSpinLockArray"/> (<paramref name="index"/> &gt;= 0) the array's hash
    /// code in the high half and the index in the low half.
    /// </summary>
    public static long LockId(object owner, int index = -1) =>
        index < 0 ? RuntimeHelpers.GetHashCode(owner) : ((long)RuntimeHelpers.GetHashCode(owner) << 32) | (uint)index;

    [Event(ContentionStartId, Level = EventLevel.Informational, Keywords = Keywords.Contention, Opcode = EventOpcode.Start, Task = Tasks.Contention,
        Message = "Contention on QSpin lock {2} started")]
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2026", Justification = "Every argument is a primitive.")]
    public unsafe void ContentionStart(byte ContentionFlags, ushort ClrInstanceID, long LockID, long AssociatedObjectID, ulong LockOwnerThreadID)
    {
        EventData* d = stackalloc EventData[5];
        d[0] = new EventData { DataPointer = (nint)(&ContentionFlags), Size = sizeof(byte) };
        d[1] = new EventData { DataPointer = (nint)(&ClrInstanceID), Size = sizeof(ushort) };
        d[2] = new EventData { DataPointer = (nint)(&LockID), Size = sizeof(long) };
        d[3] = new EventData { DataPointer = (nint)(&AssociatedObjectID), Size = sizeof(long) };
        d[4] = new EventData { DataPointer = (nint)(&LockOwnerThreadID), Size = sizeof(ulong) };
        WriteEventCore(ContentionStartId, 5, d);
    }

    [Event(ContentionStopId, Level = EventLevel.Informational, Keywords = Keywords.Contention, Opcode = EventOpcode.Stop, Task = Tasks.Contention,
        Message = "Contention stopped after {2} ns")]
    [UnconditionalSuppressMessage("ReflectionAnalysis", "IL2026", Justification = "Every argument is a primitive.")]
    public unsafe void ContentionStop(byte ContentionFlags, ushort ClrInstanceID, double DurationNs)
    {
        // The runtime's ContentionStop_V1 fields exactly; like it, a stop pairs with the start on the same thread.
        EventData* d = stackalloc EventData[3];
        d[0] = new EventData { DataPointer = (nint)(&ContentionFlags), Size = sizeof(byte) };
        d[1] = new EventData { DataPointer = (nint)(&ClrInstanceID), Size = sizeof(ushort) };
        d[2] = new EventData { DataPointer = (nint)(&DurationNs), Size = sizeof(double) };
        WriteEventCore(ContentionStopId, 3, d);
    }

    /// <summary>Raises ContentionStart if a listener wants it; returns the start timestamp, or 0.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Start(object owner, int index)
    {
        long id = LockId(owner, index);
        Log.ContentionStart(ManagedFlag, 0, id, RuntimeHelpers.GetHashCode(owner), 0);
        return System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>Raises ContentionStop with the duration since <paramref name="start"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Stop(long start)
    {
        double ns = (System.Diagnostics.Stopwatch.GetTimestamp() - start) * (1_000_000_000.0 / System.Diagnostics.Stopwatch.Frequency);
        Log.ContentionStop(ManagedFlag, 0, ns);
    }

    /// <summary>Keywords: the runtime uses 0x4000 for contention; we do the same.</summary>
    public static class Keywords
    {
        public const EventKeywords Contention = (EventKeywords)0x4000;
    }

    /// <summary>Tasks.</summary>
    public static class Tasks
    {
        public const EventTask Contention = (EventTask)1;
    }
}
