using QSpin;

namespace QSpin.TestHost;

/// <summary>Starts waiters on a held lock one at a time, each seen waiting in the lock word before the next one starts.</summary>
internal sealed class Arrivals(QSpinLock l)
{
    private readonly ArrivalWatch? _watch = QSpinOps.Mode == QSpinMode.TestAndSet ? null : new(() => Volatile.Read(ref l.Word), QSpinOps.Mode);
    private readonly List<Thread> _threads = [];

    /// <summary>
    /// Starts <paramref name="body"/> on a new thread and returns once the word shows it waiting
    /// (<see cref="ArrivalWatch"/>). Test-and-set waiters leave no trace in the word: for them it
    /// returns after a short sleep.
    /// </summary>
    public void Arrive(string name, Action body)
    {
        var t = new Thread(() => body()) { IsBackground = true, Name = name };
        _threads.Add(t);
        t.Start();
        if (_watch is null) Thread.Sleep(20);
        else _watch.WaitForNewArrival(name);
    }

    /// <summary>Waits for every thread started here.</summary>
    public void JoinAll()
    {
        foreach (var t in _threads)
            if (!t.Join(TimeSpan.FromSeconds(60))) throw new TimeoutException($"{t.Name} never finished, lock {l}");
    }
}
