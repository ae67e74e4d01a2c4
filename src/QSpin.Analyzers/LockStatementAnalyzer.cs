using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace QSpin.Analyzers;

/// <summary>
/// QSPIN001: <c>lock (x)</c> where <c>x</c> is a QSpin lock. The compiler lowers <c>lock</c> to
/// <c>EnterScope()</c> only for <c>System.Threading.Lock</c>; on a QSpinLock it takes the object's
/// Monitor, which does not exclude the threads that use the QSpinLock.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class LockStatementAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Rules.LockStatement];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (LockTypes.Find(start.Compilation) is not { } types) return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Lock);
        });
    }

    private static void Analyze(OperationAnalysisContext context, LockTypes types)
    {
        var statement = (ILockOperation)context.Operation;
        var locked = statement.LockedValue;
        // lock (x) converts x to object implicitly only in error cases; an explicit (object) cast says the Monitor is meant.
        while (locked is IConversionOperation { IsImplicit: true } conversion) locked = conversion.Operand;
        if (types.Of(locked.Type) is not { } lockType) return;
        if (statement.Syntax is not LockStatementSyntax syntax) return;
        var header = Location.Create(syntax.SyntaxTree, TextSpan.FromBounds(syntax.LockKeyword.SpanStart, syntax.CloseParenToken.Span.End));
        context.ReportDiagnostic(Diagnostic.Create(Rules.LockStatement, header, syntax.Expression.ToString(), lockType.Type.Name));
    }
}
