using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QSpin;

/// <summary>
/// The per-thread slot registry. A thread that first needs to queue gets a slot (0..16,382); the
/// slot owns a parking word and <see cref="LockWord.NodesPerThread"/> nodes in native memory. Slots of
/// exited threads are recycled when the registry runs out; memory is never freed while the process
/// lives. A thread that cannot get a slot (more than 16,383 queueing threads alive) still takes locks
/// correctly by spinning on trylock outside the queue, as the kernel does when it runs out of nodes.
/// </summary>
internal static unsafe class ThreadSlots
{
    // Per slot: one 128-byte block for the parking word, then the nodes.
    private const int SlotBytes = QNode.Size * (1 + LockWord.NodesPerThread);
    private const int SlotsPerChunkShift = 6;
    private const int SlotsPerChunk = 1 << SlotsPerChunkShift;
    private const int ChunkCount = (LockWord.MaxSlots + SlotsPerChunk - 1) / SlotsPerChunk;

    private static readonly nint[] s_chunks = new nint[ChunkCount];
    private static readonly Thread?[] s_owners = new Thread?[LockWord.MaxSlots];
    private static readonly ThreadNodes?[] s_slotNodes = new ThreadNodes?[LockWord.MaxSlots];
    private static readonly Stack<int> s_free = new();
    private static readonly Lock s_registryLock = new();
    private static int s_nextUnused;

    /// <summary>Most slots in use at once; lowered only by tests of the out-of-slots path.</summary>
    internal static int SlotLimit = LockWord.MaxSlots;

    /// <summary>Slots currently handed out (diagnostics).</summary>
    internal static int SlotsInUse => Volatile.Read(ref s_slotsInUse);

    /// <summary>Slots handed out again after their thread exited (diagnostics).</summary>
    internal static long RecycledSlots;

    /// <summary>Highest number of slots ever in use at once (diagnostics).</summary>
    internal static int SlotsInUseHighWater;

    private static int s_slotsInUse;

    /// <summary>Acquisitions that found no free node and spun outside the queue (the kernel's lock_no_node).</summary>
    internal static long NoNodeCount;

    [ThreadStatic] private static ThreadNodes? t_nodes;

    /// <summary>The calling thread's nodes, allocating a slot on first use; null when none is free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ThreadNodes? Current()
    {
        ThreadNodes? tn = t_nodes;
        if (tn is not null && tn.Slot >= 0) return tn;
        return AcquireSlot(tn);
    }

    /// <summary>
    /// Tests only: makes <paramref name="replacement"/> the calling thread's nodes (null: none yet) and
    /// returns what it had, so a test can give a thread the state of one that found the registry full.
    /// </summary>
    internal static ThreadNodes? ReplaceCurrentForTesting(ThreadNodes? replacement)
    {
        ThreadNodes? old = t_nodes;
        t_nodes = replacement;
        return old;
    }

    /// <summary>The node a tail value names.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static QNode* Decode(int tail) => NodeOf(LockWord.TailSlot(tail), LockWord.TailIndex(tail));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static QNode* NodeOf(int slot, int index) =>
        (QNode*)(SlotBase(slot) + QNode.Size * (1 + index));

    /// <summary>When stats are on, the time of the last kick of this slot (0 = none pending).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long* KickTime(int slot) => (long*)(SlotBase(slot) + sizeof(long));

    /// <summary>The slot's parking word (the "vCPU" that pv_kick wakes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int* ParkWord(int slot) => (int*)SlotBase(slot);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* SlotBase(int slot)
    {
        // The chunk was published before the slot was handed out, and the slot reached the reader
        // through a full-fence tail exchange: an acquire read is enough. Not Atomic.LoadAcquire: this
        // is no step of the lock, and it must not be a Coyote scheduling point (the futex model
        // decodes nodes inside its wait hook).
        nint chunk = Volatile.Read(ref s_chunks[slot >> SlotsPerChunkShift]);
        return (byte*)chunk + (nint)(slot & (SlotsPerChunk - 1)) * SlotBytes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadNodes? AcquireSlot(ThreadNodes? tn)
    {
        // A thread that found the registry full retries only now and then, so that thousands of
        // slot-less threads do not serialise on the registry lock.
        if (tn is not null && --tn.RetryCountdown > 0) return null;

        int slot;
        lock (s_registryLock)
        {
            slot = TakeFreeSlot();
            if (slot >= 0)
            {
                s_owners[slot] = Thread.CurrentThread;
                s_slotsInUse++;
                if (s_slotsInUse > SlotsInUseHighWater) SlotsInUseHighWater = s_slotsInUse;
            }
        }

        if (slot < 0)
        {
            tn ??= new ThreadNodes(-1);
            t_nodes = tn;
            tn.RetryCountdown = 64;
            return null;
        }

        tn = new ThreadNodes(slot);
        Volatile.Write(ref s_slotNodes[slot], tn); // release: for diagnostics readers only

        // The slot's parking word may hold a stale permit from its previous owner: clear it
        // (a stale kick arriving later is only a spurious wake-up, which every waiter tolerates).
        Atomic.StoreRelaxed(ParkWord(slot), 0); // published with the slot by our tail exchange
        t_nodes = tn;
        return tn;
    }

    /// <summary>A racy snapshot of every slot in use, for watchdog dumps (plain volatile reads: no steps of the lock, so no scheduling points).</summary>
    public static List<SlotSnapshot> Snapshot()
    {
        var result = new List<SlotSnapshot>();
        int n = Volatile.Read(ref s_nextUnused);
        for (int s = 0; s < n; s++)
        {
            ThreadNodes? tn = Volatile.Read(ref s_slotNodes[s]);
            Thread? owner = Volatile.Read(ref s_owners[s]);
            if (tn is null || owner is null) continue;
            var nodes = new NodeSnapshot[LockWord.NodesPerThread];
            for (int i = 0; i < nodes.Length; i++)
            {
                QNode* q = NodeOf(s, i);
                QNode* next = (QNode*)Volatile.Read(ref q->Next);
                nodes[i] = new NodeSnapshot(i, Volatile.Read(ref q->Locked), Volatile.Read(ref q->State), next is null ? 0 : next->Tail);
            }
            string name = $"{owner.Name ?? "thread"} #{owner.ManagedThreadId}{(owner.IsAlive ? "" : " (exited)")}";
            result.Add(new SlotSnapshot(s, name, tn.Depth, Volatile.Read(ref *ParkWord(s)), nodes));
        }
        return result;
    }

    // Called under s_registryLock. Slots of exited threads are reclaimed before the registry grows
    // by a new chunk, so its memory follows the number of queueing threads alive, not ever started.
    private static int TakeFreeSlot()
    {
        if (s_slotsInUse >= SlotLimit)
        {
            ReclaimDeadThreads();
            if (s_slotsInUse >= SlotLimit) return -1;
        }
        if (s_free.Count == 0 && (s_nextUnused & (SlotsPerChunk - 1)) == 0) ReclaimDeadThreads();
        if (s_free.Count > 0) return s_free.Pop();
        if (s_nextUnused >= LockWord.MaxSlots) return -1;

        int slot = s_nextUnused++;
        ref nint chunk = ref s_chunks[slot >> SlotsPerChunkShift];
        if (chunk == 0)
        {
            nint mem = (nint)NativeMemory.AlignedAlloc((nuint)(SlotsPerChunk * SlotBytes), QNode.Size);
            NativeMemory.Clear((void*)mem, (nuint)(SlotsPerChunk * SlotBytes));
            int first = (slot >> SlotsPerChunkShift) << SlotsPerChunkShift;
            for (int s = 0; s < SlotsPerChunk; s++)
            {
                byte* b = (byte*)mem + (nint)s * SlotBytes;
                for (int i = 0; i < LockWord.NodesPerThread; i++)
                    ((QNode*)(b + QNode.Size * (1 + i)))->Tail = LockWord.EncodeTail(first + s, i);
            }
            Volatile.Write(ref chunk, mem); // release: node initialisation before the chunk is visible (not Atomic: no scheduling point under the registry lock)
        }
        return slot;
    }

    // An abandoned node is still linked into some queue until a hand-over skips it: its slot must
    // not be handed to another thread before that.
    private static bool HasAbandonedNode(int slot)
    {
        for (int i = 0; i < LockWord.NodesPerThread; i++)
            if (Volatile.Read(ref NodeOf(slot, i)->Locked) == Baton.Abandoned) return true; // acquire: pairs with the reclaimer's release (not Atomic: no scheduling point under the registry lock)
        return false;
    }

    // Called under s_registryLock: every slot whose thread has exited goes back on the free list.
    // An exited thread is in no queue (waiting is synchronous), so none of its nodes is in use;
    // successors that still read a node of it see only its last, finished state.
    private static void ReclaimDeadThreads()
    {
        for (int s = 0; s < s_nextUnused; s++)
        {
            Thread? owner = s_owners[s];
            if (owner is not null && !owner.IsAlive && !HasAbandonedNode(s))
            {
                s_owners[s] = null;
                s_slotNodes[s] = null;
                s_free.Push(s);
                s_slotsInUse--;
                RecycledSlots++;
            }
        }
    }
}

/// <summary>What a diagnostics dump shows of one slot.</summary>
internal readonly record struct SlotSnapshot(int Slot, string Owner, int Depth, int ParkWord, NodeSnapshot[] Nodes);

/// <summary>What a diagnostics dump shows of one node.</summary>
internal readonly record struct NodeSnapshot(int Index, int Locked, int State, int NextTail);

/// <summary>
/// The calling thread's slot and which of its nodes are in use. The kernel counts nesting levels; here
/// nodes are also tied up by abandoned waits until a hand-over skips them, so they are taken by a mask.
/// </summary>
internal sealed unsafe class ThreadNodes(int slot)
{
    public readonly int Slot = slot;

    /// <summary>Nodes in use by a wait of this thread (bit i = node i); for diagnostics, the count is the depth.</summary>
    public int InUse;

    public int RetryCountdown;

    /// <summary>The state of a thread that found the registry full and will not ask again soon.</summary>
    internal static ThreadNodes WithoutSlot() => new(-1) { RetryCountdown = int.MaxValue };

    /// <summary>Nodes in use, for dumps.</summary>
    public int Depth => System.Numerics.BitOperations.PopCount((uint)Volatile.Read(ref InUse));

    /// <summary>A free node's index, or -1 when all are in use or abandoned in some queue.</summary>
    public int TakeNode()
    {
        for (int i = 0; i < LockWord.NodesPerThread; i++)
        {
            if ((InUse & (1 << i)) != 0) continue;
            // Not Atomic.LoadAcquire: through the inlined helper the JIT computes the node's address
            // into a register first (one more add) instead of reading [base+offset]. So, as before, no
            // scheduling point: only a hand-over's store of Reclaimed changes our own abandoned node,
            // and reading it a step late only makes us pick another node.
            if (Volatile.Read(ref ThreadSlots.NodeOf(Slot, i)->Locked) == Baton.Abandoned) continue; // acquire: pairs with the reclaimer's store of Reclaimed
            InUse |= 1 << i;
            return i;
        }
        return -1;
    }

    /// <summary>The wait that used node <paramref name="index"/> is over (acquired, or abandoned: an
    /// abandoned node stays unavailable until reclaimed, which its Locked value says).</summary>
    public void ReleaseNode(int index) => InUse &= ~(1 << index);
}
