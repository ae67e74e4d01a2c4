using System.Runtime.InteropServices;

namespace QSpin.Cli.Locks;

/// <summary>
/// REFERENCE ONLY, not for use: the textbook MCS queue lock (Mellor-Crummey and Scott, 1991), the
/// queue that qspinlock builds on, without qspinlock's 32-bit word, pending bit or paravirt parking.
/// Each waiter appends its own node to the queue with one atomic exchange of the tail and spins on a
/// flag in its own node; the unlocker clears its successor's flag. FIFO, one cache line per waiter,
/// pure spinning: like the ticket lock it stalls when the next waiter is descheduled.
/// </summary>
/// <remarks>
/// The benchmark's Enter/Exit interface passes no node, so each thread keeps one node in a
/// thread-static field: a thread may hold at most one <see cref="ReferenceMcsLock"/> at a time.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal sealed class ReferenceMcsLock
{
    [FieldOffset(64)] private Node? _tail;

    [ThreadStatic] private static Node? t_node;

    public void Enter()
    {
        Node node = t_node ??= new Node();
        node.Next = null;
        node.Waiting = 1;
        Node? pred = Interlocked.Exchange(ref _tail, node); // full fence: publishes the node's initialisation with it
        if (pred is null) return;
        Volatile.Write(ref pred.Next, node); // release: the predecessor's unlock finds us
        while (Volatile.Read(ref node.Waiting) != 0) // acquire: pairs with the predecessor's release in Exit
            Spin.Pause();
    }

    public void Exit()
    {
        Node node = t_node!;
        Node? next = Volatile.Read(ref node.Next); // acquire: pairs with the successor's link
        if (next is null)
        {
            if (Interlocked.CompareExchange(ref _tail, null, node) == node) return; // full fence: nobody queued, the lock is free
            while ((next = Volatile.Read(ref node.Next)) is null) // a successor swapped the tail but has not linked yet
                Spin.Pause();
        }
        Volatile.Write(ref next.Waiting, 0); // release: hands the lock to the successor
    }

    /// <summary>A queue node on its own cache lines.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private sealed class Node
    {
        [FieldOffset(64)] public Node? Next;
        [FieldOffset(128)] public int Waiting;
    }
}

/// <summary>The benchmark's handle on a <see cref="ReferenceMcsLock"/>.</summary>
internal readonly struct McsContender(ReferenceMcsLock l) : ILockContender
{
    public void Enter() => l.Enter();
    public void Exit() => l.Exit();
}
