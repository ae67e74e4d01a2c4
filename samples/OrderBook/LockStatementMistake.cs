using QSpin;

namespace OrderBookSample;

/// <summary>
/// The mistake analyzer rule QSPIN001 exists for, kept here on purpose: the build of this sample
/// shows the warning, and .ci/consumer-check expects it when it builds a copy of the sample against
/// the QSpin package.
/// </summary>
internal static class LockStatementMistake
{
    /// <summary>
    /// Shows that <c>lock (gate)</c> does not take the QSpinLock: it gets in while this very thread
    /// holds the QSpinLock. A QSpinLock is not reentrant, so had it taken the queued lock, the
    /// thread would wait for itself forever; it took the object's Monitor instead.
    /// </summary>
    public static bool LockStatementIgnoresTheQSpinLock()
    {
        var gate = new QSpinLock();
        using (gate.EnterScope())
        {
            lock (gate) // QSPIN001, on purpose: write 'using (gate.EnterScope())'
            {
                return gate.IsLocked;
            }
        }
    }
}
