using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace QSpin.Analyzers;

/// <summary>
/// Which QSpin locks are held where, in one control-flow graph (a method, lambda or local function
/// body), and the QSPIN002 / QSPIN003 diagnostics that follow. A forward data-flow analysis over
/// the graph's blocks:
/// <list type="bullet">
/// <item>Enter and EnterScope acquire; TryEnter acquires on the branch where it returned true (or,
/// when its result is stored in a local, on the branch where that local is true); Exit and the
/// disposal of an EnterScope scope release.</item>
/// <item>A branch that leaves a try through its finally applies the releases in the finally. An
/// exception handler starts with every lock that may be held anywhere in its try.</item>
/// <item>A lock passed as an argument to another method, an Exit or Dispose the analysis cannot
/// attribute, and an assignment to a variable a lock's key reads all make it forget (fewer reports,
/// never false ones from those).</item>
/// </list>
/// Lambdas and local functions are separate graphs and start with nothing held.
/// </summary>
internal sealed class HeldLockFlow
{
    private readonly ControlFlowGraph _cfg;
    private readonly LockTypes _types;
    private readonly LockKeys _keys = new();
    private readonly Dictionary<string, string> _names = [];
    private readonly Dictionary<CaptureId, string> _scopeCaptures = [];
    private readonly Dictionary<ILocalSymbol, string> _scopeLocals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ILocalSymbol, string> _tryLocals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ControlFlowRegion, ReleaseSet> _finallyReleases = [];
    private readonly List<IFlowAnonymousFunctionOperation> _lambdas = [];
    private readonly Action<Diagnostic> _report;
    private readonly HashSet<(DiagnosticDescriptor, Location)> _reported = [];

    /// <summary>The locks acquired anywhere in the block that <see cref="Transfer"/> is running: an exception there may leave any of them held.</summary>
    private ImmutableHashSet<string> _acquiredInBlock = [];

    private HeldLockFlow(ControlFlowGraph cfg, LockTypes types, Action<Diagnostic> report)
    {
        _cfg = cfg;
        _types = types;
        _report = report;
    }

    /// <summary>Analyses <paramref name="cfg"/> and, separately, every lambda and local function in it.</summary>
    public static void Analyze(ControlFlowGraph cfg, LockTypes types, Action<Diagnostic> report, CancellationToken cancel)
    {
        var flow = new HeldLockFlow(cfg, types, report);
        flow.Run(cancel);
        foreach (var lambda in flow._lambdas) Analyze(cfg.GetAnonymousFunctionControlFlowGraph(lambda, cancel), types, report, cancel);
        foreach (var function in cfg.LocalFunctions) Analyze(cfg.GetLocalFunctionControlFlowGraph(function, cancel), types, report, cancel);
    }

    private void Run(CancellationToken cancel)
    {
        Prepare();
        var blocks = _cfg.Blocks;
        var entry = new HeldLocks?[blocks.Length];
        entry[0] = HeldLocks.None;
        var handlers = blocks.Select(HandlersOf).ToArray();

        // Iterate to the fixed point. May only grows and Must only shrinks, so this ends; the bound is a guard.
        for (int pass = 0, limit = 4 * blocks.Length + 16; pass < limit; pass++)
        {
            cancel.ThrowIfCancellationRequested();
            bool changed = false;
            foreach (var block in blocks)
            {
                if (entry[block.Ordinal] is not { } start) continue;
                var (whenTrue, whenFalse, end) = Transfer(block, start, report: false);
                var thrown = new HeldLocks(start.May.Union(end.May).Union(_acquiredInBlock), []);
                foreach (int handler in handlers[block.Ordinal])
                    changed |= Merge(entry, handler, thrown);
                if (block.ConditionalSuccessor is { } conditional)
                {
                    var taken = block.ConditionKind == ControlFlowConditionKind.WhenTrue ? whenTrue : whenFalse;
                    var notTaken = block.ConditionKind == ControlFlowConditionKind.WhenTrue ? whenFalse : whenTrue;
                    changed |= Follow(entry, conditional, taken);
                    if (block.FallThroughSuccessor is { } fallThrough) changed |= Follow(entry, fallThrough, notTaken);
                }
                else if (block.FallThroughSuccessor is { } next)
                {
                    changed |= Follow(entry, next, end);
                }
            }
            if (!changed) break;
        }

        foreach (var block in blocks)
            if (entry[block.Ordinal] is { } start) Transfer(block, start, report: true);
    }

    /// <summary>Records what the graph's captures and locals hold, the releases in each finally, and the lambdas.</summary>
    private void Prepare()
    {
        foreach (var block in _cfg.Blocks)
        {
            foreach (var root in Roots(block))
            {
                foreach (var op in Operations(root))
                {
                    switch (op)
                    {
                        case IFlowCaptureOperation capture:
                            _keys.Capture(capture.Id, capture.Value);
                            if (KeyOfCall(capture.Value, LockCallKind.EnterScope) is { } scoped) _scopeCaptures[capture.Id] = scoped;
                            break;
                        case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                            if (KeyOfCall(assignment.Value, LockCallKind.EnterScope) is { } scope) _scopeLocals[local.Local] = scope;
                            if (KeyOfCall(assignment.Value, LockCallKind.TryEnter) is { } tried) _tryLocals[local.Local] = tried;
                            break;
                        case IFlowAnonymousFunctionOperation lambda:
                            _lambdas.Add(lambda);
                            break;
                    }
                }
            }
        }
        foreach (var region in Regions(_cfg.Root))
        {
            if (region.Kind != ControlFlowRegionKind.Finally) continue;
            var releases = new ReleaseSet();
            for (int i = region.FirstBlockOrdinal; i <= region.LastBlockOrdinal; i++)
                foreach (var root in Roots(_cfg.Blocks[i]))
                    foreach (var op in Operations(root))
                        if (op is IInvocationOperation call && Released(call, out string? key)) releases.Add(key);
            _finallyReleases[region] = releases;
        }
    }

    /// <summary>
    /// Runs the block from <paramref name="start"/>: the state at its end, and the states on its two
    /// branches (they differ only when the branch tests a TryEnter).
    /// </summary>
    private (HeldLocks WhenTrue, HeldLocks WhenFalse, HeldLocks End) Transfer(BasicBlock block, HeldLocks start, bool report)
    {
        _acquiredInBlock = [];
        var state = start;
        foreach (var op in block.Operations) state = Walk(op, state, report);
        if (block.BranchValue is not { } branch) return (state, state, state);

        bool negated = false;
        var test = branch;
        while (test is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            test = not.Operand;
            negated = !negated;
        }
        string? tried = null;
        if (test is IInvocationOperation call && _types.TryClassify(call, out var kind, out var lockType) && kind == LockCallKind.TryEnter)
        {
            foreach (var child in call.ChildOperations) state = Walk(child, state, report);
            tried = _keys.OfCall(call, lockType);
            if (tried is not null)
            {
                Name(tried, call, lockType);
                _acquiredInBlock = _acquiredInBlock.Add(tried);
            }
            if (report && tried is not null && state.Must.Contains(tried)) ReportReentry(call, tried, "TryEnter never succeeds");
        }
        else
        {
            state = Walk(branch, state, report);
            if (test is ILocalReferenceOperation local) _tryLocals.TryGetValue(local.Local, out tried);
        }
        if (tried is null) return (state, state, state);
        var acquired = state.Acquire(tried);
        var failed = state.Release(tried);
        var end = state.MaybeAcquire(tried);
        return negated ? (failed, acquired, end) : (acquired, failed, end);
    }

    /// <summary>The state after <paramref name="op"/> and its children, in evaluation order.</summary>
    private HeldLocks Walk(IOperation op, HeldLocks state, bool report)
    {
        if (op is IFlowAnonymousFunctionOperation) return state; // a separate graph
        foreach (var child in op.ChildOperations) state = Walk(child, state, report);

        switch (op)
        {
            case IInvocationOperation call when _types.TryClassify(call, out var kind, out var lockType):
                return LockCall(call, kind, lockType, state, report);
            case IInvocationOperation call:
                return Escape(call.Arguments, state);
            case IObjectCreationOperation creation:
                return Escape(creation.Arguments, state);
            case IAwaitOperation await when report && !state.May.IsEmpty:
                ReportAwait(await, state);
                return state;
            case ISimpleAssignmentOperation { Target: var target }:
                return Assigned(target, state);
            case ICompoundAssignmentOperation { Target: var target }:
                return Assigned(target, state);
            case IIncrementOrDecrementOperation { Target: var target }:
                return Assigned(target, state);
            default:
                return state;
        }
    }

    private HeldLocks LockCall(IInvocationOperation call, LockCallKind kind, LockType lockType, HeldLocks state, bool report)
    {
        if (kind is LockCallKind.Exit or LockCallKind.ScopeDispose)
            return Released(call, out string? released) ? (released is null ? HeldLocks.None : state.Release(released)) : state;

        if (_keys.OfCall(call, lockType) is not { } key) return state;
        Name(key, call, lockType);
        if (report && state.Must.Contains(key))
            ReportReentry(call, key, kind == LockCallKind.TryEnter ? "TryEnter never succeeds" : kind + " waits forever");
        _acquiredInBlock = _acquiredInBlock.Add(key);
        return kind == LockCallKind.TryEnter ? state.MaybeAcquire(key) : state.Acquire(key);
    }

    /// <summary>
    /// True if <paramref name="call"/> releases a lock: <paramref name="key"/> is the lock's key, or
    /// null when the call releases a lock the analysis cannot name (then it forgets them all).
    /// </summary>
    private bool Released(IInvocationOperation call, out string? key)
    {
        key = null;
        if (!_types.TryClassify(call, out var kind, out var lockType)) return false;
        switch (kind)
        {
            case LockCallKind.Exit:
                key = _keys.OfCall(call, lockType);
                return true;
            case LockCallKind.ScopeDispose:
                if (call.Instance is IFlowCaptureReferenceOperation capture) _scopeCaptures.TryGetValue(capture.Id, out key);
                else if (call.Instance is ILocalReferenceOperation local) _scopeLocals.TryGetValue(local.Local, out key);
                return true;
            default:
                return false;
        }
    }

    /// <summary>A lock handed to another method may be released there: forget it.</summary>
    private HeldLocks Escape(IEnumerable<IArgumentOperation> arguments, HeldLocks state)
    {
        foreach (var argument in arguments)
            if (_keys.Of(argument.Value) is { } key && state.May.Contains(key)) state = state.Release(key);
        return state;
    }

    private HeldLocks Assigned(IOperation target, HeldLocks state) =>
        _keys.Of(target) is { } changed && !state.May.IsEmpty ? state.Forget(changed) : state;

    private bool Follow(HeldLocks?[] entry, ControlFlowBranch branch, HeldLocks state)
    {
        if (branch.Destination is not { } destination) return false;
        foreach (var region in branch.FinallyRegions)
            if (_finallyReleases.TryGetValue(region, out var releases)) state = releases.ApplyTo(state);
        return Merge(entry, destination.Ordinal, state);
    }

    private static bool Merge(HeldLocks?[] entry, int ordinal, HeldLocks state)
    {
        if (entry[ordinal] is not { } old)
        {
            entry[ordinal] = state;
            return true;
        }
        var joined = old.Join(state);
        if (joined.SameAs(old)) return false;
        entry[ordinal] = joined;
        return true;
    }

    /// <summary>The first blocks of the exception handlers (catch, filter, finally) of every try in this graph that contains <paramref name="block"/>.</summary>
    private int[] HandlersOf(BasicBlock block)
    {
        var handlers = new List<int>();
        // A lambda's graph hangs below the region of the enclosing method that holds the lambda: stop at this graph's root.
        for (var region = block.EnclosingRegion; region != _cfg.Root && region.EnclosingRegion is { } parent; region = parent)
        {
            if (region.Kind != ControlFlowRegionKind.Try) continue;
            foreach (var sibling in parent.NestedRegions)
                if (sibling != region) handlers.Add(sibling.FirstBlockOrdinal);
        }
        return [.. handlers];
    }

    /// <summary>The key of the lock that <paramref name="value"/>, a call of <paramref name="kind"/> (EnterScope or TryEnter), acts on.</summary>
    private string? KeyOfCall(IOperation value, LockCallKind kind)
    {
        while (value is IConversionOperation conversion) value = conversion.Operand;
        return value is IInvocationOperation call && _types.TryClassify(call, out var k, out var lockType) && k == kind ? _keys.OfCall(call, lockType) : null;
    }

    /// <summary>Remembers how the source names the lock of <paramref name="key"/>, for messages: <c>gate</c>, or <c>locks[i]</c> for an indexed type.</summary>
    private void Name(string key, IInvocationOperation call, LockType lockType)
    {
        if (_names.ContainsKey(key) || call.Instance is null) return;
        string name = call.Instance.Syntax.ToString();
        if (lockType.Spec.Indexed && call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is { } index)
            name += "[" + index.Value.Syntax + "]";
        _names[key] = name;
    }

    private string NameOf(string key) => _names.TryGetValue(key, out var name) ? name : "a lock";

    private void ReportAwait(IAwaitOperation await, HeldLocks state)
    {
        string names = string.Join("', '", state.May.Select(NameOf).OrderBy(n => n, StringComparer.Ordinal));
        Report(Rules.AwaitWhileHeld, AwaitLocation(await.Syntax), names);
    }

    private void ReportReentry(IInvocationOperation call, string key, string consequence) =>
        Report(Rules.EnteredWhileHeld, call.Syntax.GetLocation(), NameOf(key), consequence);

    private void Report(DiagnosticDescriptor rule, Location location, params object[] args)
    {
        if (_reported.Add((rule, location))) _report(Diagnostic.Create(rule, location, args));
    }

    /// <summary>Where to report an await: the await expression, or the <c>await</c> keyword of an <c>await foreach</c> or <c>await using</c>.</summary>
    private static Location AwaitLocation(SyntaxNode syntax)
    {
        var keyword = syntax switch
        {
            AwaitExpressionSyntax e => e.AwaitKeyword,
            ForEachStatementSyntax f => f.AwaitKeyword,
            ForEachVariableStatementSyntax f => f.AwaitKeyword,
            UsingStatementSyntax u => u.AwaitKeyword,
            LocalDeclarationStatementSyntax d => d.AwaitKeyword,
            _ => default,
        };
        if (syntax is AwaitExpressionSyntax) return syntax.GetLocation();
        if (keyword != default) return keyword.GetLocation();
        // The await of an await foreach or await using is attributed to the collection or resource expression; find the statement's keyword.
        foreach (var ancestor in syntax.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case ForEachStatementSyntax { AwaitKeyword.RawKind: not 0 } f: return f.AwaitKeyword.GetLocation();
                case ForEachVariableStatementSyntax { AwaitKeyword.RawKind: not 0 } f: return f.AwaitKeyword.GetLocation();
                case UsingStatementSyntax { AwaitKeyword.RawKind: not 0 } u: return u.AwaitKeyword.GetLocation();
                case LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: not 0 } d: return d.AwaitKeyword.GetLocation();
            }
        }
        return syntax.GetLocation();
    }

    private static IEnumerable<IOperation> Roots(BasicBlock block) =>
        block.BranchValue is { } branch ? block.Operations.Append(branch) : block.Operations;

    /// <summary>An operation and its descendants, without entering lambdas (separate graphs).</summary>
    private static IEnumerable<IOperation> Operations(IOperation root)
    {
        var stack = new Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var op = stack.Pop();
            yield return op;
            if (op is IFlowAnonymousFunctionOperation) continue;
            foreach (var child in op.ChildOperations) stack.Push(child);
        }
    }

    private static IEnumerable<ControlFlowRegion> Regions(ControlFlowRegion root) =>
        new[] { root }.Concat(root.NestedRegions.SelectMany(Regions));

    /// <summary>The releases in one finally region: named locks, and whether one it cannot name is released too.</summary>
    private sealed class ReleaseSet
    {
        private readonly HashSet<string> _keys = [];
        private bool _unknown;

        public void Add(string? key)
        {
            if (key is null) _unknown = true;
            else _keys.Add(key);
        }

        public HeldLocks ApplyTo(HeldLocks state)
        {
            if (_unknown) return HeldLocks.None;
            foreach (var key in _keys) state = state.Release(key);
            return state;
        }
    }
}
