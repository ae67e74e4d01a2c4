using System.Diagnostics;
using QSpin;

namespace QSpin.TestHost;

/// <summary>Starts waiters on a held lock one at a time, each seen waiting in the lock word before the next one starts.</summary>
internal sealed class Arrivals(QSpinLock l)
{
    private int _last = Volatile.Read(ref l.Word);
    private readonly List<Thread> _threads = [];

    /// <summary>
    /// Starts <paramref name="body"/> on a new thread and returns once the word shows it waiting: a new
    /// pending bit or a new tail. Test-and-set waiters leave no trace in the word: for them it returns
    /// after a short sleep.
    /// </summary>
    public void Arrive(string name, Action body)
    {
        var t = new Thread(() => body()) { IsBackground = true, Name = name };
        _threads.Add(t);
        t.Start();
        if (QSpinOps.Mode == QSpinMode.TestAndSet)
        {
            Thread.Sleep(20);
            return;
        }
        var sw = Stopwatch.StartNew();
        while (true)
        {
            int w = Volatile.Read(ref l.Word);
            bool newPending = (w & LockWord.PendingMask) != 0 && (_last & LockWord.PendingMask) == 0;
            bool newTail = (w & LockWord.TailMask) != 0 && (w & LockWord.TailMask) != (_last & LockWord.TailMask);
            if (newPending || newTail) { _last = w; return; }
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"{name} never seen waiting, lock {l}");
            Thread.Sleep(1);
        }
    }

    /// <summary>Waits for every thread started here.</summary>
    public void JoinAll()
    {
        foreach (var t in _threads)
            if (!t.Join(TimeSpan.FromSeconds(60))) throw new TimeoutException($"{t.Name} never finished, lock {l}");
    }
}
