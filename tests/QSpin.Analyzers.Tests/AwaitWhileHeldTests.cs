using Microsoft.CodeAnalysis.Testing;

namespace QSpin.Analyzers.Tests;

public class AwaitWhileHeldTests
{
    private static Task Check(string members, params DiagnosticResult[] expected) => Verify.Diagnostics<HeldLockAnalyzer>($$"""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using QSpin;
        class C
        {
            private QSpinLock _gate = new();
            private readonly QSpinLock _other = new();
            private int _count;
            static void Release(QSpinLock l) => l.Exit();
            {{members}}
        }
        """, expected);

    [Fact]
    public Task AwaitBetweenEnterAndExit() => Check("""
        async Task M()
        {
            _gate.Enter();
            {|QSPIN002:await Task.Yield()|};
            _gate.Exit();
        }
        """);

    [Fact]
    public Task AwaitInsideTryWhoseFinallyExits() => Check("""
        async Task M()
        {
            _gate.Enter();
            try { _count++; {|QSPIN002:await Task.Yield()|}; }
            finally { _gate.Exit(); }
        }
        """);

    [Fact]
    public Task AwaitAfterTheFinallyExitedIsFine() => Check("""
        async Task M()
        {
            _gate.Enter();
            try { _count++; }
            finally { _gate.Exit(); }
            await Task.Yield();
        }
        """);

    [Fact]
    public Task AwaitInsideAUsingScope() => Check("""
        async Task M()
        {
            using (_gate.EnterScope())
            {
                {|QSPIN002:await Task.Yield()|};
            }
            await Task.Yield();
        }
        """);

    [Fact]
    public Task AUsingDeclarationHoldsUntilTheEndOfItsBlock() => Check("""
        async Task M()
        {
            {
                using var scope = _gate.EnterScope();
                _count++;
            }
            await Task.Yield();
            using var held = _gate.EnterScope();
            {|QSPIN002:await Task.Yield()|};
        }
        """);

    [Fact]
    public Task TryEnterHoldsOnlyWhereItReturnedTrue() => Check("""
        async Task M()
        {
            if (!_gate.TryEnter(5))
            {
                await Task.Delay(1); // not acquired here
                return;
            }
            try { {|QSPIN002:await Task.Yield()|}; }
            finally { _gate.Exit(); }
        }
        async Task N()
        {
            if (_gate.TryEnter(TimeSpan.FromMilliseconds(5)))
            {
                {|QSPIN002:await Task.Yield()|};
                _gate.Exit();
            }
            else
            {
                await Task.Yield();
            }
        }
        """);

    [Fact]
    public Task TryEnterIntoALocal() => Check("""
        async Task M()
        {
            bool taken = _gate.TryEnter();
            if (!taken)
            {
                await Task.Yield();
                return;
            }
            {|QSPIN002:await Task.Yield()|};
            _gate.Exit();
        }
        """);

    [Fact]
    public Task ALambdaOrLocalFunctionIsItsOwnMethod() => Check("""
        async Task M()
        {
            _gate.Enter();
            Func<Task> later = async () => await Task.Yield(); // runs later, without the lock
            _gate.Exit();
            await later();
            await Local();

            async Task Local()
            {
                _other.Enter();
                {|QSPIN002:await Task.Yield()|};
                _other.Exit();
            }
        }
        """);

    [Fact]
    public Task ALambdaInsideATryOfItsMethodHasItsOwnHandlers() => Check("""
        async Task M(IDisposable resource)
        {
            using var owned = resource;
            try
            {
                Func<Task> work = async () =>
                {
                    try { _gate.Enter(); _count++; _gate.Exit(); }
                    catch (InvalidOperationException) { {|QSPIN002:await Task.Yield()|}; }
                };
                await work();
            }
            finally { _count--; }
        }
        """);

    [Fact]
    public Task ALockHandedToAnotherMethodIsForgotten() => Check("""
        async Task M()
        {
            _gate.Enter();
            Release(_gate);
            await Task.Yield();
        }
        """);

    [Fact]
    public Task TheMessageNamesTheLocksStillHeld() => Check("""
        async Task M()
        {
            _gate.Enter();
            _other.Enter();
            _gate.Exit();
            {|#0:await Task.Yield()|};
            _other.Exit();
        }
        """,
        new DiagnosticResult(Rules.AwaitWhileHeld).WithLocation(0).WithArguments("_other"));

    [Fact]
    public Task ExitOfAnotherLockDoesNotRelease() => Check("""
        async Task M()
        {
            _other.Enter();
            _gate.Exit();
            {|QSPIN002:await Task.Yield()|};
        }
        """);

    [Fact]
    public Task AwaitForeachAndAwaitUsingAreAwaitsToo() => Check("""
        async Task M(IAsyncEnumerable<int> items, IAsyncDisposable resource)
        {
            _gate.Enter();
            {|QSPIN002:await|} foreach (var item in items) _count += item;
            {|QSPIN002:await|} using (resource) { }
            _gate.Exit();
        }
        """);

    [Fact]
    public Task ACatchBlockMayRunWithTheLockHeld() => Check("""
        async Task M()
        {
            try
            {
                _gate.Enter();
                _count = checked(_count + 1);
                _gate.Exit();
            }
            catch (OverflowException)
            {
                {|QSPIN002:await Task.Yield()|};
            }
        }
        """);

    [Fact]
    public Task EachIterationReleasesBeforeItAwaits() => Check("""
        async Task M(int n)
        {
            for (int i = 0; i < n; i++)
            {
                _gate.Enter();
                _count++;
                _gate.Exit();
                await Task.Yield();
            }
        }
        """);

    [Fact]
    public Task ALoopThatReleasesAtTheEndHoldsAtTheTop() => Check("""
        async Task M(int n)
        {
            while (n-- > 0)
            {
                {|QSPIN002:await Task.Yield()|};
                if (n == 3) { _gate.Enter(); continue; }
                _gate.Exit();
            }
        }
        """);

    [Fact]
    public Task AReassignedFieldNamesAnotherLock() => Check("""
        async Task M()
        {
            _gate.Enter();
            _gate = new QSpinLock();
            await Task.Yield();
        }
        """);

    [Fact]
    public Task LocksOfAQSpinLockArrayAreKeyedByIndex() => Verify.Diagnostics<HeldLockAnalyzer>("""
        using System.Threading.Tasks;
        using QSpin;
        class C
        {
            async Task M(QSpinLockArray locks, int i, int j)
            {
                locks.Enter(0);
                locks.Exit(0);
                await Task.Yield();
                locks.Enter(i);
                locks.Exit(j);
                {|QSPIN002:await Task.Yield()|};
                locks.Exit(i);
                using (locks.EnterScope(j))
                {
                    {|QSPIN002:await Task.Yield()|};
                }
                await Task.Yield();
            }
        }
        """);

    [Fact]
    public Task TopLevelStatementsAreAMethodToo() => Verify.Program<HeldLockAnalyzer>("""
        using System.Threading.Tasks;
        using QSpin;
        var gate = new QSpinLock();
        gate.Enter();
        {|QSPIN002:await Task.Yield()|};
        gate.Exit();
        """);

    [Fact]
    public Task ALockTakenInOneMethodAndReleasedInAnotherIsNotReported() => Check("""
        void Lock() => _gate.Enter();
        void Unlock() => _gate.Exit();
        async Task M()
        {
            Lock();
            await Task.Yield();
            Unlock();
        }
        """);
}
