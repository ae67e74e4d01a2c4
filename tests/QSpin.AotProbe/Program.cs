using System.Runtime.CompilerServices;
using QSpin;

// Prints what the published program sees, then takes and releases a lock through the probe methods
// whose machine code NativeAotTests reads.
var l = new QSpinLock();
ProbeMethods.Enter(l);
ProbeMethods.Exit(l);
Console.WriteLine($"mode={QSpinOps.Mode}");
Console.WriteLine($"stats={QSpinStats.Enabled}");
Console.WriteLine($"checked={CheckedModeIsOn(l)}");
Console.WriteLine($"reason={QSpinOps.Reason}");
Console.WriteLine($"free={!l.IsLocked}");

// IsHeldByCurrentThread answers only in checked mode and throws InvalidOperationException otherwise.
static bool CheckedModeIsOn(QSpinLock l)
{
    try
    {
        _ = l.IsHeldByCurrentThread;
        return true;
    }
    catch (InvalidOperationException)
    {
        return false;
    }
}

/// <summary>Callers of the lock that are never inlined, so each has a symbol of its own in the binary.</summary>
internal static class ProbeMethods
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Enter(QSpinLock l) => l.Enter();

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Exit(QSpinLock l) => l.Exit();
}
