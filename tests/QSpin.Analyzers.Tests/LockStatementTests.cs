using Microsoft.CodeAnalysis.Testing;

namespace QSpin.Analyzers.Tests;

public class LockStatementTests
{
    [Fact]
    public Task LockOnAQSpinLockFieldIsReported() => Verify.Diagnostics<LockStatementAnalyzer>("""
        using QSpin;
        class C
        {
            private readonly QSpinLock _gate = new();
            private int _count;
            void M()
            {
                {|QSPIN001:lock (_gate)|}
                {
                    _count++;
                }
            }
        }
        """);

    [Fact]
    public Task LockOnALocalOrParameterIsReported() => Verify.Diagnostics<LockStatementAnalyzer>("""
        using QSpin;
        class C
        {
            void M(QSpinLock gate)
            {
                var other = new QSpinLock();
                {|QSPIN001:lock (gate)|} { }
                {|QSPIN001:lock (other)|} { }
            }
        }
        """);

    [Fact]
    public Task TheMessageNamesTheExpressionAndTheType() => Verify.Diagnostics<LockStatementAnalyzer>("""
        using QSpin;
        class C
        {
            QSpinLock Gate { get; } = new();
            void M()
            {
                {|#0:lock (this.Gate)|} { }
            }
        }
        """,
        new DiagnosticResult(Rules.LockStatement).WithLocation(0).WithArguments("this.Gate", "QSpinLock"));

    [Fact]
    public Task OtherLocksAndAnExplicitMonitorAreNotReported() => Verify.Diagnostics<LockStatementAnalyzer>("""
        using System.Threading;
        using QSpin;
        class C
        {
            private readonly object _sync = new();
            private readonly Lock _lock = new();
            private readonly QSpinLock _gate = new();
            void M()
            {
                lock (_sync) { }
                lock (_lock) { }
                lock ((object)_gate) { } // a cast says the Monitor is meant
            }
        }
        """);

    [Fact]
    public Task ATypeNamedQSpinLockInAnotherNamespaceIsNotReported() => Verify.Diagnostics<LockStatementAnalyzer>("""
        namespace Mine { sealed class QSpinLock { } }
        class C
        {
            void M(Mine.QSpinLock gate)
            {
                lock (gate) { }
            }
        }
        """);

    [Fact]
    public Task LockOnAQSpinLockArrayIsReported() => Verify.Diagnostics<LockStatementAnalyzer>("""
        using QSpin;
        class C
        {
            void M(QSpinLockArray locks)
            {
                {|QSPIN001:lock (locks)|} { }
            }
        }
        """);

    [Fact]
    public Task TheFixUsesEnterScopeAndKeepsTheBodyAndComments() => Verify.Fix<LockStatementAnalyzer, LockStatementCodeFix>("""
        using QSpin;
        class C
        {
            private readonly QSpinLock _gate = new();
            private int _count;
            void M()
            {
                // count under the lock
                {|QSPIN001:lock (_gate)|} // the gate
                {
                    _count++; // inside
                }
            }
        }
        """, """
        using QSpin;
        class C
        {
            private readonly QSpinLock _gate = new();
            private int _count;
            void M()
            {
                // count under the lock
                using (_gate.EnterScope()) // the gate
                {
                    _count++; // inside
                }
            }
        }
        """);

    [Fact]
    public Task TheFixParenthesizesALooseExpressionAndKeepsACall() => Verify.Fix<LockStatementAnalyzer, LockStatementCodeFix>("""
        using QSpin;
        class C
        {
            QSpinLock? _a;
            readonly QSpinLock _b = new();
            QSpinLock Pick() => _b;
            void M()
            {
                {|QSPIN001:lock (_a ?? _b)|} { }
                {|QSPIN001:lock (Pick())|}
                    M();
            }
        }
        """, """
        using QSpin;
        class C
        {
            QSpinLock? _a;
            readonly QSpinLock _b = new();
            QSpinLock Pick() => _b;
            void M()
            {
                using ((_a ?? _b).EnterScope()) { }
                using (Pick().EnterScope())
                    M();
            }
        }
        """);

    private const string LockOnALockArray = """
        using QSpin;
        class C
        {
            void M(QSpinLockArray locks)
            {
                {|QSPIN001:lock (locks)|} { }
            }
        }
        """;

    [Fact]
    public Task NoFixWithoutAnEnterScopeWithoutArguments() =>
        Verify.Fix<LockStatementAnalyzer, LockStatementCodeFix>(LockOnALockArray, LockOnALockArray); // fixed = unchanged: no fix offered
}
