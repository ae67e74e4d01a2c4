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

    /// <summary>A rule of this analyzer: a warning, on by default, with its section of docs/analyzers.md as help.</summary>
    private static DiagnosticDescriptor Warning(string id, string title, string message, string description) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, description, HelpLink(id));

    public static readonly DiagnosticDescriptor LockStatement = Warning(
        "QSPIN001",
        "A lock statement on a QSpin lock takes a Monitor, not the queued lock",
        "'lock ({0})' takes a Monitor on the {1} object, not the queued lock; acquire it with EnterScope() instead",
        "The C# compiler turns 'lock (x)' into EnterScope() only when x is a System.Threading.Lock. On any other object, a QSpinLock included, it calls Monitor.Enter and Monitor.Exit on the object: the code does not exclude the threads that use the QSpinLock itself. Use 'using (x.EnterScope()) { ... }'.");

    public static readonly DiagnosticDescriptor AwaitWhileHeld = Warning(
        "QSPIN002",
        "A QSpin lock is held across an await",
        "'{0}' is held across this await: release a spinlock before awaiting",
        "A spinlock must not be held across an await: the method may continue on another thread, which then releases a lock it does not hold, and every other thread that wants the lock spins or parks until the awaited work completes. Release the lock before the await, or use SemaphoreSlim.WaitAsync for a lock that must be held across one.");

    public static readonly DiagnosticDescriptor EnteredWhileHeld = Warning(
        "QSPIN003",
        "A QSpin lock is entered again while this method holds it",
        "'{0}' is already held here: QSpin locks are not reentrant, so {1}",
        "A QSpinLock is not reentrant, like a kernel spinlock: a thread that enters a lock it already holds waits for itself forever, and TryEnter on it always fails. The rule reports only an entry where every path through the method has already entered the lock and not released it.");
}
