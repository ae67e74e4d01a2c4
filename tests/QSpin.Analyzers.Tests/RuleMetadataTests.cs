using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace QSpin.Analyzers.Tests;

/// <summary>What a user of the package relies on besides the diagnostics: help links that lead somewhere, and an analyzer assembly every .NET 10 compiler loads.</summary>
public class RuleMetadataTests
{
    public static TheoryData<string> RuleIds => new(new[] { Rules.LockStatement, Rules.AwaitWhileHeld, Rules.EnteredWhileHeld }.Select(r => r.Id));

    private static DiagnosticDescriptor Rule(string id) =>
        new LockStatementAnalyzer().SupportedDiagnostics.Concat(new HeldLockAnalyzer().SupportedDiagnostics).Single(r => r.Id == id);

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void EveryRuleLinksToItsSectionOfTheAnalyzerDocs(string id)
    {
        var rule = Rule(id);
        Assert.Matches(@"^QSPIN\d{3}$", rule.Id);
        Assert.EndsWith("docs/analyzers.md#" + id.ToLowerInvariant(), rule.HelpLinkUri, StringComparison.Ordinal);
        string docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "analyzers.md"));
        // A Markdown heading "## QSPIN001" has the anchor #qspin001.
        Assert.Matches(new Regex("^## " + id + "$", RegexOptions.Multiline), docs);
    }

    [Fact]
    public void TheAnalyzerReferencesOnlyCompilerAssembliesOfARoslynEveryDotNet10CompilerLoads()
    {
        var references = AssemblyReferences(typeof(HeldLockAnalyzer).Assembly.Location);
        Assert.DoesNotContain(references, r => r.Name.StartsWith("Microsoft.CodeAnalysis.Workspaces", StringComparison.Ordinal));
        var roslyn = references.Where(r => r.Name is "Microsoft.CodeAnalysis" or "Microsoft.CodeAnalysis.CSharp").ToList();
        Assert.NotEmpty(roslyn);
        // The .NET 10.0.100 SDK's compiler is Roslyn 5.0; an analyzer built against a later one does not load there.
        Assert.All(roslyn, r => Assert.True(r.Version <= new Version(5, 0, 0, 0), $"{r.Name} {r.Version} is newer than the .NET 10.0.100 compiler"));
        Assert.Contains(".NETStandard,Version=v2.0", typeof(HeldLockAnalyzer).Assembly.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()!.FrameworkName);
    }

    private static List<(string Name, Version Version)> AssemblyReferences(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        return md.AssemblyReferences.Select(h => md.GetAssemblyReference(h)).Select(r => (md.GetString(r.Name), r.Version)).ToList();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "QSpin.slnx"))) return dir.FullName;
        throw new InvalidOperationException("QSpin.slnx not found above " + AppContext.BaseDirectory);
    }
}
