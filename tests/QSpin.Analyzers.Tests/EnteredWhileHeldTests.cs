using Microsoft.CodeAnalysis.Testing;

namespace QSpin.Analyzers.Tests;

public class EnteredWhileHeldTests
{
    private static Task Check(string members, params DiagnosticResult[] expected) => Verify.Diagnostics<HeldLockAnalyzer>($$"""
        using System;
        using QSpin;
        class C
        {
            private QSpinLock _gate = new();
            private readonly QSpinLock _other = new();
            private int _count;
            {{members}}
        }
        """, expected);

    [Fact]
    public Task EnterTwice() => Check("""
        void M()
        {
            _gate.Enter();
            {|#0:_gate.Enter()|};
            _gate.Exit();
        }
        """,
        new DiagnosticResult(Rules.EnteredWhileHeld).WithLocation(0).WithArguments("_gate", "Enter waits forever"));

    [Fact]
    public Task EnterInsideAScope() => Check("""
        void M()
        {
            using (_gate.EnterScope())
            {
                {|QSPIN003:_gate.EnterScope()|}.Dispose();
            }
            using (_gate.EnterScope()) { }
        }
        """);

    [Fact]
    public Task TryEnterOfALockHeldNeverSucceeds() => Check("""
        void M()
        {
            _gate.Enter();
            if ({|#0:_gate.TryEnter(10)|}) _count++;
            _gate.Exit();
        }
        """,
        new DiagnosticResult(Rules.EnteredWhileHeld).WithLocation(0).WithArguments("_gate", "TryEnter never succeeds"));

    [Fact]
    public Task HeldOnOnlySomePathsIsNotReported() => Check("""
        void M(bool first)
        {
            if (first) _gate.Enter();
            _gate.Enter();
            if (_other.TryEnter())
            {
                _count++;
            }
            _other.Enter();
        }
        void N(QSpinLock a, QSpinLock b)
        {
            if (!a.TryEnter()) a.Enter(); // try the fast way first, then wait
            bool taken = b.TryEnter(); // maybe
            b.Enter();
        }
        """);

    [Fact]
    public Task ExitThenEnterAgain() => Check("""
        void M()
        {
            _gate.Enter();
            _gate.Exit();
            _gate.Enter();
            try { _count++; } finally { _gate.Exit(); }
            _gate.Enter();
        }
        """);

    [Fact]
    public Task TwoLocksInOrder() => Check("""
        void M(QSpinLock a, QSpinLock b)
        {
            a.Enter();
            b.Enter();
            _gate.Enter();
            _other.Enter();
        }
        """);

    [Fact]
    public Task AReassignedVariableNamesAnotherLock() => Check("""
        void M()
        {
            var l = _gate;
            l.Enter();
            l = _other;
            l.Enter();
            _gate.Enter();
            _gate = new QSpinLock();
            _gate.Enter();
        }
        """);

    [Fact]
    public Task IndicesOfAQSpinLockArray() => Verify.Diagnostics<HeldLockAnalyzer>("""
        using QSpin;
        class C
        {
            void M(QSpinLockArray locks, int i)
            {
                locks.Enter(0);
                locks.Enter(1);
                {|QSPIN003:locks.Enter(0)|};
                locks.Enter(i);
                {|QSPIN003:locks.TryEnter(i)|};
                i++;
                locks.Enter(i);
            }
        }
        """);
}
