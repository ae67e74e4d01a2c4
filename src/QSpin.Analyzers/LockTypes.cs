using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace QSpin.Analyzers;

/// <summary>A lock type the rules know, by metadata name.</summary>
/// <param name="metadataName">The type's full metadata name.</param>
/// <param name="indexed">True if the type holds many locks and each call names one by its first argument (an index).</param>
internal sealed class LockTypeSpec(string metadataName, bool indexed)
{
    public string MetadataName { get; } = metadataName;

    public bool Indexed { get; } = indexed;

    /// <summary>
    /// Every lock type of QSpin. A new one is one line here: the rules find its Enter, TryEnter,
    /// EnterScope and Exit methods and its nested Scope type by name. A type the compilation does
    /// not have is skipped, so a name may be listed before the type ships.
    /// </summary>
    public static readonly ImmutableArray<LockTypeSpec> All =
    [
        new("QSpin.QSpinLock", indexed: false),
        new("QSpin.QSpinLockArray", indexed: true),
    ];
}

/// <summary>What a call does to a lock.</summary>
internal enum LockCallKind
{
    /// <summary>Enter(...): waits until it holds the lock.</summary>
    Enter,

    /// <summary>TryEnter(...): holds the lock when it returns true.</summary>
    TryEnter,

    /// <summary>EnterScope(...): holds the lock until the returned scope is disposed.</summary>
    EnterScope,

    /// <summary>Exit(...).</summary>
    Exit,

    /// <summary>Scope.Dispose(): releases the lock its EnterScope acquired.</summary>
    ScopeDispose,
}

/// <summary>A lock type found in one compilation.</summary>
internal sealed class LockType(INamedTypeSymbol type, INamedTypeSymbol? scope, LockTypeSpec spec)
{
    public INamedTypeSymbol Type { get; } = type;

    /// <summary>The nested Scope type that EnterScope returns, if any.</summary>
    public INamedTypeSymbol? Scope { get; } = scope;

    public LockTypeSpec Spec { get; } = spec;

    /// <summary>True if the type has an EnterScope() that takes no argument, which the QSPIN001 fix calls.</summary>
    public bool HasParameterlessEnterScope
    {
        get
        {
            foreach (var m in Type.GetMembers("EnterScope"))
                if (m is IMethodSymbol { Parameters.Length: 0, IsStatic: false }) return true;
            return false;
        }
    }
}

/// <summary>The lock types present in one compilation, and what calls on them do.</summary>
internal sealed class LockTypes
{
    private readonly ImmutableArray<LockType> _types;

    private LockTypes(ImmutableArray<LockType> types) => _types = types;

    /// <summary>The lock types the compilation can see, or null if it sees none (then no rule has anything to do).</summary>
    public static LockTypes? Find(Compilation compilation)
    {
        var found = ImmutableArray.CreateBuilder<LockType>();
        foreach (var spec in LockTypeSpec.All)
        {
            if (compilation.GetTypeByMetadataName(spec.MetadataName) is not { } type) continue;
            var scope = type.GetTypeMembers("Scope").FirstOrDefault();
            found.Add(new LockType(type, scope, spec));
        }
        return found.Count == 0 ? null : new LockTypes(found.ToImmutable());
    }

    /// <summary>The lock type <paramref name="type"/> is, or null.</summary>
    public LockType? Of(ITypeSymbol? type)
    {
        if (type is null) return null;
        foreach (var t in _types)
            if (SymbolEqualityComparer.Default.Equals(t.Type, type)) return t;
        return null;
    }

    /// <summary>What <paramref name="invocation"/> does to a lock, with the lock type it is called on; false if it is not a lock call.</summary>
    public bool TryClassify(IInvocationOperation invocation, out LockCallKind kind, out LockType lockType)
    {
        kind = default;
        lockType = null!;
        var method = invocation.TargetMethod;
        if (method.IsStatic) return false;
        var container = method.ContainingType;
        foreach (var t in _types)
        {
            if (SymbolEqualityComparer.Default.Equals(t.Type, container))
            {
                lockType = t;
                switch (method.Name)
                {
                    case "Enter": kind = LockCallKind.Enter; return true;
                    case "TryEnter": kind = LockCallKind.TryEnter; return true;
                    case "EnterScope": kind = LockCallKind.EnterScope; return true;
                    case "Exit": kind = LockCallKind.Exit; return true;
                    default: return false;
                }
            }
            if (t.Scope is not null && SymbolEqualityComparer.Default.Equals(t.Scope, container) && method.Name == "Dispose")
            {
                lockType = t;
                kind = LockCallKind.ScopeDispose;
                return true;
            }
        }
        return false;
    }

    /// <summary>True if <paramref name="type"/> is one of the lock types' scope types.</summary>
    public bool IsScope(ITypeSymbol? type)
    {
        if (type is null) return false;
        foreach (var t in _types)
            if (t.Scope is not null && SymbolEqualityComparer.Default.Equals(t.Scope, type)) return true;
        return false;
    }
}
