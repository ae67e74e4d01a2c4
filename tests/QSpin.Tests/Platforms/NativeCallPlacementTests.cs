using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace QSpin.Tests.Platforms;

/// <summary>
/// The rule that keeps one platform from compiling another's native calls (issue 15: Windows died with
/// DllNotFoundException 'libc' because a <c>[SuppressGCTransition]</c> futex call, bound when its
/// caller is compiled, sat in a method every platform runs). In QSpin and the CLI every P/Invoke is
/// declared in a class marked <see cref="SupportedOSPlatformAttribute"/> (so the platform analyzer,
/// an error here, rejects any call that no platform guard protects), and every method that calls one
/// is <see cref="MethodImplOptions.NoInlining"/> in such a class, so the JIT never copies the call into
/// shared code. Read from the IL, on any platform: the Windows run under Wine shows the crash itself.
/// </summary>
public class NativeCallPlacementTests
{
    public static TheoryData<string> Assemblies => new() { "QSpin", "QSpin.Cli" };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void EveryNativeCallSitsInAPlatformClassBehindANoInliningMethod(string assemblyName)
    {
        var problems = new List<string>();
        int nativeMethods = 0;
        foreach (MethodBase m in AllMethods(Assembly.Load(assemblyName)))
        {
            if (IsNative(m))
            {
                nativeMethods++;
                if (Platform(m.DeclaringType!) is null) problems.Add($"{Name(m)} is a native call in a class that names no platform");
                continue;
            }
            MethodBase? callee = Callees(m).FirstOrDefault(IsNative);
            if (callee is null) continue;
            if (Platform(m.DeclaringType!) is null) problems.Add($"{Name(m)} calls {Name(callee)} from a class that names no platform");
            if (!m.MethodImplementationFlags.HasFlag(MethodImplAttributes.NoInlining))
                problems.Add($"{Name(m)} calls {Name(callee)} but is not NoInlining: the JIT may inline the call into shared code");
        }
        Assert.True(nativeMethods > 0, $"no native call found in {assemblyName}: the scan is broken");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static bool IsNative(MethodBase m) =>
        m.Attributes.HasFlag(MethodAttributes.PinvokeImpl) || m.IsDefined(typeof(LibraryImportAttribute), inherit: false);

    private static string? Platform(Type t)
    {
        for (Type? d = t; d is not null; d = d.DeclaringType)
            if (d.GetCustomAttribute<SupportedOSPlatformAttribute>() is { } a) return a.PlatformName;
        return null;
    }

    private static string Name(MethodBase m) => $"{m.DeclaringType?.FullName}.{m.Name}";

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    private static IEnumerable<MethodBase> AllMethods(Assembly a) =>
        a.GetTypes().SelectMany(t => t.GetMethods(Declared).Cast<MethodBase>().Concat(t.GetConstructors(Declared)));

    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The methods <paramref name="m"/> calls (call, callvirt, newobj, ldftn), decoded from its IL.</summary>
    private static IEnumerable<MethodBase> Callees(MethodBase m)
    {
        byte[]? il = m.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            OpCode op = s_opCodes[value];
            i += op.Size;
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try { callee = m.Module.ResolveMethod(BitConverter.ToInt32(il, i), m.DeclaringType?.GetGenericArguments(), m.IsGenericMethod ? m.GetGenericArguments() : null); }
                catch (ArgumentException) { } // a method of a generic instantiation it cannot name: not a P/Invoke
                if (callee is not null) yield return callee;
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }
}
