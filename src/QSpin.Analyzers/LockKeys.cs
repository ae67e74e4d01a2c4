using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace QSpin.Analyzers;

/// <summary>
/// Names the lock a call acts on, within one method body: the same key for two expressions that
/// read the same variable, parameter, field or property path (<c>gate</c>, <c>this.gate</c>,
/// <c>book.Gate</c>, <c>locks[i]</c>), null for anything else (a call result, a new object), which
/// the rules then leave alone. Keys are strings of numbered symbols joined by <c>.</c>, <c>[</c>,
/// <c>,</c> and <c>]</c>, so one key can tell whether it mentions another.
/// </summary>
internal sealed class LockKeys
{
    private readonly Dictionary<ISymbol, int> _ids = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<CaptureId, string?> _captures = [];

    /// <summary>Records what a flow capture of the control-flow graph holds, so that a read of the capture has the same key.</summary>
    public void Capture(CaptureId id, IOperation value)
    {
        string? key = Of(value);
        // A capture written twice (the two arms of ?:) with different values has no key.
        _captures[id] = _captures.TryGetValue(id, out var old) && old != key ? null : key;
    }

    /// <summary>The key of the value <paramref name="operation"/> reads, or null.</summary>
    public string? Of(IOperation? operation)
    {
        switch (operation)
        {
            case IConversionOperation { Conversion.IsIdentity: true } or IConversionOperation { Conversion.IsReference: true, Conversion.IsImplicit: true }:
                return Of(((IConversionOperation)operation).Operand);
            case IInstanceReferenceOperation:
                return "this";
            case ILocalReferenceOperation local:
                return Symbol(local.Local);
            case IParameterReferenceOperation parameter:
                return Symbol(parameter.Parameter);
            case IFieldReferenceOperation field:
                return Member(field.Field, field.Instance);
            case IPropertyReferenceOperation { Arguments.Length: 0 } property:
                return Member(property.Property, property.Instance);
            case IPropertyReferenceOperation indexer:
                return Of(indexer.Instance) is { } target && Indices(indexer.Arguments.Select(a => a.Value)) is { } args ? target + "[" + args + "]" : null;
            case IArrayElementReferenceOperation element:
                return Of(element.ArrayReference) is { } array && Indices(element.Indices) is { } indices ? array + "[" + indices + "]" : null;
            case IFlowCaptureReferenceOperation capture:
                return _captures.TryGetValue(capture.Id, out var key) ? key : null;
            case { ConstantValue: { HasValue: true } constant }:
                return "=" + Convert.ToString(constant.Value, CultureInfo.InvariantCulture);
            default:
                return null;
        }
    }

    /// <summary>The key of one lock of <paramref name="lockType"/> that <paramref name="call"/> names: its receiver, and for an indexed type its first argument.</summary>
    public string? OfCall(IInvocationOperation call, LockType lockType)
    {
        if (Of(call.Instance) is not { } receiver) return null;
        if (!lockType.Spec.Indexed) return receiver;
        return call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is { } index && Of(index.Value) is { } i ? receiver + "[" + i + "]" : null;
    }

    /// <summary>True if <paramref name="key"/> reads <paramref name="part"/>: equal, or a path through it, or an index that uses it.</summary>
    public static bool Mentions(string key, string part)
    {
        for (int at = key.IndexOf(part, StringComparison.Ordinal); at >= 0; at = key.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            int end = at + part.Length;
            bool startsPart = at == 0 || key[at - 1] is '.' or '[' or ',';
            bool endsPart = end == key.Length || key[end] is '.' or '[' or ',' or ']';
            if (startsPart && endsPart) return true;
        }
        return false;
    }

    private string? Member(ISymbol member, IOperation? instance)
    {
        if (member.IsStatic || instance is null) return Symbol(member);
        return Of(instance) is { } target ? target + "." + Symbol(member) : null;
    }

    private string? Indices(IEnumerable<IOperation> indices)
    {
        var parts = new List<string>();
        foreach (var index in indices)
        {
            if (Of(index) is not { } k) return null;
            parts.Add(k);
        }
        return string.Join(",", parts);
    }

    private string Symbol(ISymbol symbol)
    {
        if (!_ids.TryGetValue(symbol, out int id)) _ids.Add(symbol, id = _ids.Count);
        return "#" + id.ToString(CultureInfo.InvariantCulture);
    }
}
