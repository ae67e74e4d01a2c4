using System.Runtime.InteropServices;

namespace QSpin.Cli.Locks;

/// <summary>
/// REFERENCE ONLY, not for use: the textbook ticket lock (Mellor-Crummey and Scott, 1991; Linux's
/// spinlock before qspinlock). An arriving thread takes the next ticket with one atomic increment and
/// spins until the "now serving" counter shows its number; unlock increments "now serving". It is
/// strictly FIFO and every waiter spins on the same cache line, so each hand-off invalidates every
/// waiter's copy, and when threads outnumber cores the next ticket holder is often descheduled and the
/// whole queue waits for it. It is here to show what QSpin's queue improves on.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal sealed class ReferenceTicketLock
{
    // Both counters share one cache line, as in the classic word-sized ticket lock; the object is
    // padded so that no other hot data shares it.
    [FieldOffset(64)] private int _next;
    [FieldOffset(68)] private int _serving;

    public void Enter()
    {
        int ticket = Interlocked.Increment(ref _next) - 1; // full fence: takes a ticket
        while (Volatile.Read(ref _serving) != ticket) // acquire: pairs with the release in Exit
            Spin.Pause();
    }

    // Only the owner writes _serving, so a plain read and a release store suffice.
    public void Exit() => Volatile.Write(ref _serving, _serving + 1); // release: hands over to the next ticket
}

/// <summary>The benchmark's handle on a <see cref="ReferenceTicketLock"/>.</summary>
internal readonly struct TicketContender(ReferenceTicketLock l) : ILockContender
{
    public void Enter() => l.Enter();
    public void Exit() => l.Exit();
}
