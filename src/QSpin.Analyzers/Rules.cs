using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace QSpin.Analyzers;

/// <summary>The diagnostics of the QSpin analyzer; docs/analyzers.md explains each one, under its ID.</summary>
internal static class Rules
{
    private const string Category = "Reliability";

    /// <summary>Where docs/analyzers.md is (an assembly attribute, set from src/Directory.Build.props).</summary>
    private static readonly string HelpBase =
        typeof(Rules).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "QSpin.RulesHelp")?.Value
        ?? "docs/analyzers.md";

    private static string HelpLink(string id) => HelpBase + "#" + id.ToLowerInvariant();

    public static readonly DiagnosticDescriptor LockStatement = new(
        id: "QSPIN001",
        title: "A lock statement on a QSpin lock takes a Monitor, not the queued lock",
        messageFormat: "'lock ({0})' takes a Monitor on the {1} object, not the queued lock; acquire it with EnterScope() instead",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The C# compiler turns 'lock (x)' into EnterScope() only when x is a System.Threading.Lock. On any other object, a QSpinLock included, it calls Monitor.Enter and Monitor.Exit on the object: the code does not exclude the threads that use the QSpinLock itself. Use 'using (x.EnterScope()) { ... }'.",
        helpLinkUri: HelpLink("QSPIN001"));

    public static readonly DiagnosticDescriptor AwaitWhileHeld = new(
        id: "QSPIN002",
        title: "A QSpin lock is held across an await",
        messageFormat: "'{0}' is held across this await: release a spinlock before awaiting",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A spinlock must not be held across an await: the method may continue on another thread, which then releases a lock it does not hold, and every other thread that wants the lock spins or parks until the awaited work completes. Release the lock before the await, or use SemaphoreSlim.WaitAsync for a lock that must be held across one.",
        helpLinkUri: HelpLink("QSPIN002"));

    public static readonly DiagnosticDescriptor EnteredWhileHeld = new(
        id: "QSPIN003",
        title: "A QSpin lock is entered again while this method holds it",
        messageFormat: "'{0}' is already held here: QSpin locks are not reentrant, so {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A QSpinLock is not reentrant, like a kernel spinlock: a thread that enters a lock it already holds waits for itself forever, and TryEnter on it always fails. The rule reports only an entry where every path through the method has already entered the lock and not released it.",
        helpLinkUri: HelpLink("QSPIN003"));
}
