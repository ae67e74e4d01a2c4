using System.Runtime.InteropServices;

namespace QSpin;

/// <summary>
/// An MCS queue node (the kernel's mcs_spinlock + pv_node). Lives in native memory that is never
/// freed or moved, so a successor may still read it after its owner has moved on, and its words can
/// be slept on. Each node fills a 128-byte block (two cache lines, so the adjacent-line prefetcher
/// never pairs two threads' nodes).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = QNode.Size)]
internal unsafe struct QNode
{
    public const int Size = 128;

    /// <summary>MCS baton, one of <see cref="Baton"/>: waiting, handed over, abandoned, reclaimed.</summary>
    [FieldOffset(0)] public int Locked;

    /// <summary>Paravirt state: <see cref="PvState.Running"/>, <see cref="PvState.Halted"/> or <see cref="PvState.Hashed"/>.</summary>
    [FieldOffset(4)] public int State;

    /// <summary>The successor (a <c>QNode*</c>), linked by it after it swapped itself into the tail; 0 until then.</summary>
    [FieldOffset(8)] public nint Next;

    /// <summary>This node's own tail encoding (slot and index), fixed at allocation.</summary>
    [FieldOffset(16)] public int Tail;

    /// <summary>1 when the waiter may abandon this node (a timed or cancellable wait): the predecessor
    /// must then hand over with a CAS rather than a plain store. Written before the node is published.</summary>
    [FieldOffset(20)] public int MayAbort;

    /// <summary>
    /// Paravirt: the <see cref="System.Diagnostics.Stopwatch"/> timestamp at which the waiter became the
    /// queue head, where its steal window (<see cref="Fairness"/>) starts: written by the waiter itself,
    /// or by the owner that records it as a parked successor (before its release of Hashed).
    /// </summary>
    [FieldOffset(24)] public long HeadSince;
}

/// <summary>Values of <see cref="QNode.Locked"/>.</summary>
internal static class Baton
{
    /// <summary>Queued, waiting for the predecessor.</summary>
    public const int Waiting = 0;
    /// <summary>The predecessor handed over: this node is the queue head.</summary>
    public const int Handed = 1;
    /// <summary>Its waiter timed out or was cancelled and left; the node stays in the queue until skipped.</summary>
    public const int Abandoned = 2;
    /// <summary>An abandoned node that a hand-over skipped: out of the queue, free for its thread again.</summary>
    public const int Reclaimed = 3;
}

/// <summary>Paravirt node states (the kernel's vcpu_running / vcpu_halted / vcpu_hashed).</summary>
internal static class PvState
{
    public const int Running = 0;
    /// <summary>Parked in pv_wait_node, waiting for the baton.</summary>
    public const int Halted = 1;
    /// <summary>Queue head parked, or about to park, with Parked set in the lock word and its record made.</summary>
    public const int Hashed = 2;
    /// <summary>The owner is registering this parked node (between its state CAS and its writes of the
    /// record and Parked); the node's thread waits for <see cref="Hashed"/> before it takes them back.</summary>
    public const int Hashing = 3;
}
