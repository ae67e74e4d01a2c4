using Microsoft.Coyote.Random;
using Microsoft.Coyote.Runtime;

namespace QSpin.Coyote.Tests;

/// <summary>
/// The futex, modelled for Coyote and installed as <see cref="TestHooks.Wait"/> / <see cref="TestHooks.Wake"/>.
/// It keeps the real contract and nothing more:
/// <list type="bullet">
/// <item><b>Wait(address, expected)</b>: entering the call is a scheduling point (other threads may run
/// between the caller's last check and the kernel's). Then, in one step, the value is compared: if
/// <c>*address != expected</c> the call returns at once (EAGAIN); otherwise the caller is queued on the
/// address and blocked until a <b>Wake on that address</b> dequeues it. A later change of the value
/// does <b>not</b> wake it (a weaker model that also returned on a change would let a waiter return on
/// a permit that was stored but never followed by a wake).</item>
/// <item><b>Wake(address)</b>: a scheduling point, then the oldest sleeper on the address (if any) is
/// dequeued and made runnable.</item>
/// <item>Spurious wake-ups (real futexes have them) are off by default; with
/// <see cref="SpuriousOneIn"/> = n, a sleeper stays runnable and, each time it is scheduled, returns
/// spuriously with probability 1/n, chosen by Coyote's controlled generator (so it replays).</item>
/// </list>
/// Without spurious wake-ups a sleeper is a paused Coyote operation (<see cref="Operation.PauseUntil"/>):
/// it costs no scheduling steps, and a sleeper that nobody will ever wake makes Coyote report a deadlock.
/// Coyote runs one controlled operation at a time and switches only at scheduling points, so the
/// plain fields here need no locking and the compare-and-enqueue is atomic, as in the kernel.
/// </summary>
internal static unsafe class FutexModel
{
    private sealed class Sleeper(nint address, string site)
    {
        public readonly nint Address = address;
        public readonly string Site = site;
        public bool Woken;
    }

    private static readonly List<Sleeper> s_sleepers = [];
    private static Generator? s_random;

    /// <summary>0: no spurious wake-ups; n: a sleeper returns spuriously with probability 1/n per scheduling.</summary>
    public static int SpuriousOneIn;

    /// <summary>When true, 1 in 3 waits throw <see cref="InjectedParkFailure"/> at entry (chosen by Coyote's generator).</summary>
    public static bool Throws;

    /// <summary>Threads asleep right now (end-of-iteration check: must be 0).</summary>
    public static int Sleeping => s_sleepers.Count;

    /// <summary>Called at the start of each iteration, inside the controlled test body.</summary>
    public static void BeginIteration()
    {
        s_sleepers.Clear();
        s_random = SpuriousOneIn > 0 || Throws ? Generator.Create() : null;
    }

    public static void Wait(int* address, int expected)
    {
        SchedulingPoint.Interleave(); // the system call's entry
        // Read before the compare-and-enqueue: it may pass through scheduling points in QSpin's code.
        string site = Coverage.CallerParkSite();
        Stats.Count(Seen.WaitCalls);
        if (Throws && s_random!.NextInteger(3) == 0)
        {
            Stats.Count(Seen.ParkFailed);
            Story.Line($"futex wait ({site}): throws");
            throw new InjectedParkFailure();
        }
        if (*address != expected)
        {
            Story.Line($"futex wait ({site}): value differed, returns at once");
            Stats.Count(Seen.WaitValueDiffered);
            return;
        }

        var me = new Sleeper((nint)address, site);
        s_sleepers.Add(me);
        Stats.Count(Seen.Slept(me.Site));
        Story.Line($"futex wait ({site}): asleep");
        if (SpuriousOneIn == 0)
        {
            Operation.PauseUntil(() => me.Woken);
            Story.Line($"futex wait ({site}): woken");
            return;
        }

        while (!me.Woken)
        {
            SchedulingPoint.Yield();
            if (!me.Woken && s_random!.NextInteger(SpuriousOneIn) == 0)
            {
                s_sleepers.Remove(me);
                Stats.Count(Seen.Spurious);
                Story.Line($"futex wait ({site}): spurious wake-up");
                return;
            }
        }
        Story.Line($"futex wait ({site}): woken");
    }

    public static void Wake(nint address)
    {
        SchedulingPoint.Interleave(); // the system call's entry
        Stats.Count(Seen.WakeCalls);
        int i = s_sleepers.FindIndex(s => s.Address == address);
        if (i < 0)
        {
            Stats.Count(Seen.WakeNobody);
            Story.Line("futex wake: nobody asleep");
            return;
        }
        Sleeper s = s_sleepers[i];
        s_sleepers.RemoveAt(i);
        s.Woken = true;
        Stats.Count(Seen.Woke(s.Site));
        Story.Line($"futex wake: woke the sleeper ({s.Site})");
    }
}
