using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// The native variant of the MCS queue: every hook is empty or a plain trylock, as in the kernel's
/// native build; waiters spin on their own node without bound and never park.
/// </summary>
internal readonly unsafe struct NativeQueue : IQueueVariant
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InitNode(QNode* node) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryLockBeforeQueueing<TWait>(ref int word, ref TWait wait) where TWait : struct, IWaitPolicy =>
        QueuedSlowPath.TryLockWhole(ref word);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryLockWithoutNode(ref int word) => QueuedSlowPath.TryLockWhole(ref word);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CancellationTokenRegistration WakeOnCancel<TWait>(ref TWait wait, int slot) where TWait : struct, IWaitPolicy => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool WaitNode<TWait>(QNode* node, QNode* prev, int slot, ref TWait wait) where TWait : struct, IWaitPolicy => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OnAbandoned(QNode* node) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HeadWait WaitHeadOrLock<TWait>(ref int word, QNode* node, int slot, ref TWait wait, out int val) where TWait : struct, IWaitPolicy
    {
        val = 0;
        return HeadWait.Spin;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void HandedOverHolding(ref int word, QNode* next) { }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void HandedOverNotHolding(QNode* next) { }
}
