namespace QSpin;

/// <summary>
/// What a queue variant adds to the MCS queue (<see cref="QueuedSlowPath"/>): the kernel's pv hooks,
/// which are empty in its native build. Each implementing struct is a compile-time constant for the
/// JIT, so each instantiation of the queue compiles only its own variant's code, as the kernel
/// compiles qspinlock.c twice. A new variant (a NUMA-aware queue, a lock whose parked heads live in a
/// hash table) is one new struct.
/// </summary>
internal unsafe interface IQueueVariant
{
    /// <summary>pv_init_node: prepares the variant's part of a node before it is published.</summary>
    static abstract void InitNode(QNode* node);

    /// <summary>
    /// The last try before queueing, with the node taken: native, a whole-word trylock (never jumps a
    /// queue); paravirt, one more steal attempt (its bounded stealing ran before the node was taken).
    /// False to queue (also when <paramref name="wait"/> gave up: the queue then gives up at its first check).
    /// </summary>
    static abstract bool TryLockBeforeQueueing<TWait>(ref int word, ref TWait wait) where TWait : struct, IWaitPolicy;

    /// <summary>One try for a thread that has no node to queue with (the kernel's lock_no_node loop).</summary>
    static abstract bool TryLockWithoutNode(ref int word);

    /// <summary>
    /// Arranges for a cancellation of <paramref name="wait"/> to wake the thread of
    /// <paramref name="slot"/> if it parks; default when the variant never parks.
    /// </summary>
    static abstract CancellationTokenRegistration WakeOnCancel<TWait>(ref TWait wait, int slot) where TWait : struct, IWaitPolicy;

    /// <summary>
    /// pv_wait_node: before the queue's own spin on the node's baton, wait in the variant's way (park).
    /// Returns true when the baton arrived or the variant has nothing to do, false when
    /// <paramref name="wait"/> gave up (the queue then tries to abandon the node).
    /// </summary>
    static abstract bool WaitNode<TWait>(QNode* node, QNode* prev, int slot, ref TWait wait) where TWait : struct, IWaitPolicy;

    /// <summary>A waiter abandoned <paramref name="node"/> (a timed wait gave up behind the head).</summary>
    static abstract void OnAbandoned(QNode* node);

    /// <summary>
    /// pv_wait_head_or_lock, as the queue head. <see cref="HeadWait.Spin"/>: the variant does nothing,
    /// the queue spins for (*,0,0); <see cref="HeadWait.Locked"/>: the variant took the lock and
    /// <paramref name="val"/> is the word with it held; <see cref="HeadWait.GaveUp"/>: <paramref name="wait"/> gave up.
    /// </summary>
    static abstract HeadWait WaitHeadOrLock<TWait>(ref int word, QNode* node, int slot, ref TWait wait, out int val) where TWait : struct, IWaitPolicy;

    /// <summary>pv_kick_node: the new owner has just handed <paramref name="next"/> the baton while holding the lock.</summary>
    static abstract void HandedOverHolding(ref int word, QNode* next);

    /// <summary>A head that gave up has just handed <paramref name="next"/> the head role, without the lock: nobody's unlock will wake it.</summary>
    static abstract void HandedOverNotHolding(QNode* next);
}

/// <summary>How <see cref="IQueueVariant.WaitHeadOrLock"/> ended.</summary>
internal enum HeadWait
{
    /// <summary>The variant has no head wait of its own: spin until locked and pending are clear.</summary>
    Spin,
    /// <summary>The variant took the lock.</summary>
    Locked,
    /// <summary>The wait gave up.</summary>
    GaveUp,
}
