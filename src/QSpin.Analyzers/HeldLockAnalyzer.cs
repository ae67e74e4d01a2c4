using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace QSpin.Analyzers;

/// <summary>
/// QSPIN002 (an await while a QSpin lock acquired in the same method is held) and QSPIN003 (a QSpin
/// lock entered again where the method surely holds it). Both come from one analysis of the method's
/// control-flow graph (<see cref="HeldLockFlow"/>), built only for methods that call a QSpin lock.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HeldLockAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Rules.AwaitWhileHeld, Rules.EnteredWhileHeld];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (LockTypes.Find(start.Compilation) is not { } types) return;
            start.RegisterOperationBlockAction(c => Analyze(c, types));
        });
    }

    private static void Analyze(OperationBlockAnalysisContext context, LockTypes types)
    {
        // A member's blocks (a body, initializers) may share one root, and one graph covers the root.
        var roots = new HashSet<IOperation>();
        foreach (var block in context.OperationBlocks)
        {
            var root = block;
            while (root.Parent is { } parent) root = parent;
            if (!roots.Add(root) || !CallsALock(root, types)) continue;
            HeldLockFlow.Analyze(context.GetControlFlowGraph(block), types, context.ReportDiagnostic, context.CancellationToken);
        }
    }

    /// <summary>The cheap test that spares the graph of every method that does not touch a QSpin lock.</summary>
    private static bool CallsALock(IOperation block, LockTypes types)
    {
        foreach (var op in block.Descendants())
            if (op is IInvocationOperation call && types.TryClassify(call, out _, out _)) return true;
        return false;
    }
}
