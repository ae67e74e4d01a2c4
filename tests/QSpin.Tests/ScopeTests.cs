using QSpin;

namespace QSpin.Tests;

public class ScopeTests
{
    [Fact]
    public void ExceptionInsideScopeReleasesTheLock()
    {
        var l = new QSpinLock();
        Action body = () =>
        {
            using (l.EnterScope())
            {
                Assert.True(l.IsLocked);
                throw new InvalidOperationException("boom");
            }
        };
        Assert.Throws<InvalidOperationException>(body);
        Assert.False(l.IsLocked);
        Assert.True(l.TryEnter());
        l.Exit();
    }

    [Fact]
    public void ScopeDisposeTwiceReleasesOnce()
    {
        var l = new QSpinLock();
        var scope = l.EnterScope();
        scope.Dispose();
        Assert.False(l.IsLocked);
        Assert.True(l.TryEnter()); // someone else holds it now
        scope.Dispose();           // must not release the other holder's lock
        Assert.True(l.IsLocked);
        l.Exit();
    }

    [Fact]
    public void DefaultScopeDisposeDoesNothing()
    {
        var s = default(QSpinLock.Scope);
        s.Dispose();
    }

    [Fact]
    public void ScopeGivesMutualExclusion()
    {
        var l = new QSpinLock();
        long counter = 0;
        Modes.RunThreads(4, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                using (l.EnterScope()) counter++;
            }
        });
        Assert.Equal(40_000, counter);
    }
}
