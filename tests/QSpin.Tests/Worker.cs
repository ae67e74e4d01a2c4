using QSpin;

namespace QSpin.Tests;

/// <summary>A thread that takes a lock, reports that it holds it, and releases it only when told to.</summary>
internal sealed class Worker : IDisposable
{
    private readonly ManualResetEventSlim _holding = new();
    private readonly ManualResetEventSlim _mayExit = new();
    private readonly Thread _thread;
    private Exception? _error;

    public Worker(QSpinLock l, QSpinMode mode, string name, Action? onAcquire = null, bool exitAtOnce = false)
    {
        _thread = new Thread(() =>
        {
            try
            {
                l.Enter(mode);
                onAcquire?.Invoke();
                _holding.Set();
                if (!exitAtOnce) _mayExit.Wait();
                l.Exit(mode);
            }
            catch (Exception e)
            {
                _error = e;
                _holding.Set();
            }
        }) { IsBackground = true, Name = name };
    }

    public Worker Start()
    {
        _thread.Start();
        return this;
    }

    public bool IsHolding => _holding.IsSet;

    public void WaitHolding()
    {
        if (!_holding.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException($"{_thread.Name} never acquired the lock");
        if (_error is not null) throw new InvalidOperationException($"{_thread.Name} failed", _error);
    }

    public void Release() => _mayExit.Set();

    public void Join()
    {
        if (!_thread.Join(TimeSpan.FromSeconds(60))) throw new TimeoutException($"{_thread.Name} never finished");
        if (_error is not null) throw new InvalidOperationException($"{_thread.Name} failed", _error);
    }

    public void Dispose()
    {
        _mayExit.Set();
    }
}
