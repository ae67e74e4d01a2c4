using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// The paravirt variant of the MCS queue: its hooks are the pv protocol
/// (<see cref="ParavirtSlowPath{THeads}"/>): bounded steals before queueing (run by the caller, before it takes a node), bounded spinning then
/// parking for the waiters, and the parked head recorded where <typeparamref name="THeads"/> says.
/// </summary>
internal readonly unsafe struct ParavirtQueue<THeads> : IQueueVariant where THeads : struct, IParkedHeads
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InitNode(QNode* node)
    {
        node->State = PvState.Running; // published by the tail exchange
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryLockBeforeQueueing<TWait>(ref int word, ref TWait wait) where TWait : struct, IWaitPolicy =>
        ParavirtSlowPath<THeads>.TryStealOnce(ref word); // the bounded steal ran before the node was taken (WordLock.EnterContended)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryLockWithoutNode(ref int word) => ParavirtSlowPath<THeads>.TryStealOnce(ref word);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CancellationTokenRegistration WakeOnCancel<TWait>(ref TWait wait, int slot) where TWait : struct, IWaitPolicy =>
        TWait.CanGiveUp ? wait.WakeOnCancel(slot) : default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool WaitNode<TWait>(QNode* node, QNode* prev, int slot, ref TWait wait) where TWait : struct, IWaitPolicy =>
        ParavirtSlowPath<THeads>.WaitNode(node, prev, slot, ref wait);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OnAbandoned(QNode* node) =>
        Atomic.StoreRelaxed(&node->State, PvState.Halted); // a hint: a successor stops spinning on us early

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HeadWait WaitHeadOrLock<TWait>(ref int word, QNode* node, int slot, ref TWait wait, out int val) where TWait : struct, IWaitPolicy =>
        ParavirtSlowPath<THeads>.WaitHeadOrLock(ref word, node, slot, ref wait, out val) ? HeadWait.Locked : HeadWait.GaveUp;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void HandedOverHolding(ref int word, QNode* next) => ParavirtSlowPath<THeads>.KickNode(ref word, next);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void HandedOverNotHolding(QNode* next) => ParavirtSlowPath<THeads>.WakeNode(next);
}
