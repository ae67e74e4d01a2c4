using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace QSpin.Analyzers.Tests;

/// <summary>
/// Runs an analyzer (and a code fix) over test sources compiled against the running runtime's
/// assemblies and the real QSpin.dll: no reference-assembly package is downloaded. Expected
/// diagnostics are marked in the source as <c>{|QSPIN002:text|}</c>.
/// </summary>
internal static class Verify
{
    private static readonly ImmutableArray<MetadataReference> References = FindReferences();

    private static ImmutableArray<MetadataReference> FindReferences()
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return
        [
            .. trusted.Where(p => Path.GetDirectoryName(p) == runtime).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(typeof(QSpinLock).Assembly.Location),
        ];
    }

    /// <summary>Checks that <typeparamref name="TAnalyzer"/> reports exactly the marked diagnostics in <paramref name="source"/>.</summary>
    public static Task Diagnostics<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source, ReferenceAssemblies = NoPackages };
        Configure(test.TestState, source);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>As <see cref="Diagnostics{TAnalyzer}"/>, for a program of top-level statements.</summary>
    public static Task Program<TAnalyzer>(string source)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source, ReferenceAssemblies = NoPackages };
        Configure(test.TestState, source);
        test.TestState.OutputKind = OutputKind.ConsoleApplication;
        return test.RunAsync();
    }

    /// <summary>Checks the marked diagnostics of <typeparamref name="TAnalyzer"/> and that <typeparamref name="TFix"/> turns <paramref name="source"/> into <paramref name="fixedSource"/>.</summary>
    public static Task Fix<TAnalyzer, TFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier> { TestCode = source, FixedCode = fixedSource, ReferenceAssemblies = NoPackages };
        Configure(test.TestState, source);
        Configure(test.FixedState, source);
        return test.RunAsync();
    }

    /// <summary>No reference-assembly package: the references are <see cref="References"/>.</summary>
    private static readonly ReferenceAssemblies NoPackages = new("net10.0");

    private static void Configure(SolutionState state, string source)
    {
        state.AdditionalReferences.AddRange(References);
    }
}
