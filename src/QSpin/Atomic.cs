using System.Runtime.CompilerServices;

namespace QSpin;

/// <summary>
/// The lock's shared-memory primitives, named by the ordering the algorithm needs, as the kernel names
/// its own (<c>smp_load_acquire</c>, <c>smp_store_release</c>, <c>READ_ONCE</c>, <c>xchg</c>,
/// <c>cmpxchg</c>). Each is one .NET call, inlined, preceded by <see cref="TestHooks.Interleave"/> (the
/// scheduling point of the Coyote tests, folded away when test hooks are off), so the algorithm reads
/// as a sequence of named steps and every step is a place where Coyote may switch threads. What each
/// compiles to, and the Arm rules behind it: docs/design.md, "Memory ordering".
/// </summary>
/// <remarks>
/// <para>
/// <b>Relaxed means "the algorithm needs no ordering here", not a cheaper instruction.</b> .NET has no
/// relaxed atomic load or store that the JIT promises not to cache in a register, hoist out of a loop
/// or merge with another access: only <see cref="Volatile"/> gives that. So <c>LoadRelaxed</c> compiles
/// exactly as <c>LoadAcquire</c> (<c>Volatile.Read</c>) and <c>StoreRelaxed</c> as
/// <c>StoreRelease</c> (<c>Volatile.Write</c>); on x64 both are a plain
/// <c>mov</c>, on arm64 they keep their acquire/release encoding. The name says what a reader may
/// rely on; the machine gives at least that.
/// </para>
/// <para>
/// Instructions named below, as the .NET 10 JIT emits them (docs/design.md, "What the JIT emits"): x64;
/// arm64 with ARMv8.1 atomics (LSE) and FEAT_LRCPC/LRCPC2 (qemu <c>-cpu max</c>); arm64 ARMv8.0
/// (<c>-cpu cortex-a57</c>). Sub-word overloads use the same instructions with an <c>h</c> (16-bit) or
/// <c>b</c> (8-bit) suffix.
/// </para>
/// <para>
/// Words in native memory (queue nodes, parking words) are passed as pointers, <c>&amp;node-&gt;Locked</c>,
/// the lock word by reference. Not a style choice: <c>ref node-&gt;Locked</c> is an <c>ldflda</c> that
/// must fault on a null pointer where it stands, so passed through an inlined method it becomes a
/// temporary (and, at offset 0, an explicit null check) instead of a <c>[reg+offset]</c> operand; the
/// pointer form compiles exactly as a direct <c>Volatile</c>/<c>Interlocked</c> call. For the same
/// reason the scheduling point tests a static readonly field, not the <see cref="TestHooks.Enabled"/>
/// property (see <c>TestHooks.s_enabled</c>), and each overload spells out its own two lines: a pointer
/// overload that forwarded to the <c>ref</c> one would bring the temporary back. DisassemblyTests and
/// NativeAotTests fail if the field slips; the other two show in the slow paths' Tier-1 listings.
/// </para>
/// </remarks>
internal static unsafe class Atomic
{
    // ---- Loads: Volatile.Read. x64 mov; LSE ldapr (RCpc: not ordered after an earlier release
    // store), or ldapur [x, #imm]; ARMv8.0 ldar. ----

    /// <summary>
    /// An acquire load: no later access of this thread moves before it. Pairs with a release store or
    /// a read-modify-write of the same location. x64 <c>mov</c>; arm64 LSE <c>ldapr</c>/<c>ldapur</c>;
    /// ARMv8.0 <c>ldar</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LoadAcquire(ref int location)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref location);
    }

    /// <inheritdoc cref="LoadAcquire(ref int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte LoadAcquire(ref byte location)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref location);
    }

    /// <inheritdoc cref="LoadAcquire(ref int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LoadAcquire(int* location)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref *location);
    }

    /// <inheritdoc cref="LoadAcquire(ref int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint LoadAcquire(nint* location)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref *location);
    }

    /// <summary>
    /// A load the algorithm needs no ordering from: a hint or a peek that an atomic decides after, or a
    /// value another access already ordered. Compiles as <see cref="LoadAcquire(ref int)"/> (see the
    /// class remarks): x64 <c>mov</c>; arm64 LSE <c>ldapr</c>/<c>ldapur</c>; ARMv8.0 <c>ldar</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LoadRelaxed(ref int location)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref location);
    }

    /// <inheritdoc cref="LoadRelaxed(ref int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte LoadRelaxed(ref byte location)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref location);
    }

    /// <inheritdoc cref="LoadRelaxed(ref int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LoadRelaxed(int* location)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref *location);
    }

    /// <inheritdoc cref="LoadRelaxed(ref int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long LoadRelaxed(long* location)
    {
        TestHooks.Interleave();
        return Volatile.Read(ref *location);
    }

    // ---- Stores: Volatile.Write. x64 mov; LSE stlur [x, #imm] (FEAT_LRCPC2) or stlr; ARMv8.0 stlr. ----

    /// <summary>
    /// A release store: no earlier access of this thread moves after it. Pairs with an acquire load or
    /// read-modify-write of the same location. x64 <c>mov</c>; arm64 LSE <c>stlur</c>/<c>stlr</c>;
    /// ARMv8.0 <c>stlr</c>. On arm64 it is ordered before a later <c>ldar</c> or atomic, but not
    /// before a later <c>ldapr</c>: a store->load order needs <see cref="Exchange(ref int, int)"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelease(ref int location, int value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref location, value);
    }

    /// <inheritdoc cref="StoreRelease(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelease(ref ushort location, ushort value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref location, value);
    }

    /// <inheritdoc cref="StoreRelease(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelease(ref byte location, byte value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref location, value);
    }

    /// <inheritdoc cref="StoreRelease(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelease(int* location, int value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref *location, value);
    }

    /// <inheritdoc cref="StoreRelease(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelease(nint* location, nint value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref *location, value);
    }

    /// <summary>
    /// A store the algorithm needs no ordering from: a flag only its writer may change, a hint, or a
    /// value another access publishes. Compiles as <see cref="StoreRelease(ref int, int)"/> (see the
    /// class remarks): x64 <c>mov</c>; arm64 LSE <c>stlur</c>/<c>stlr</c>; ARMv8.0 <c>stlr</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelaxed(ref int location, int value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref location, value);
    }

    /// <inheritdoc cref="StoreRelaxed(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelaxed(ref byte location, byte value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref location, value);
    }

    /// <inheritdoc cref="StoreRelaxed(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelaxed(int* location, int value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref *location, value);
    }

    /// <inheritdoc cref="StoreRelaxed(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelaxed(long* location, long value)
    {
        TestHooks.Interleave();
        Volatile.Write(ref *location, value);
    }

    // ---- Read-modify-writes: Interlocked. ----

    /// <summary>
    /// Swaps in <paramref name="value"/> and returns the old value; a full fence: its read is an
    /// acquire, its write a release, and its write is ordered before every later access of this thread,
    /// loads included (a store->load order). x64 <c>xchg</c>; arm64 LSE <c>swpal</c> (Arm's rule for an
    /// acquire-release atomic covers a later <c>ldapr</c>); ARMv8.0 an <c>ldaxr</c>/<c>stlxr</c> loop,
    /// then <c>dmb ish</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Exchange(ref int location, int value)
    {
        TestHooks.Interleave();
        return Interlocked.Exchange(ref location, value);
    }

    /// <inheritdoc cref="Exchange(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Exchange(ref ushort location, ushort value)
    {
        TestHooks.Interleave();
        return Interlocked.Exchange(ref location, value);
    }

    /// <inheritdoc cref="Exchange(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Exchange(ref byte location, byte value)
    {
        TestHooks.Interleave();
        return Interlocked.Exchange(ref location, value);
    }

    /// <inheritdoc cref="Exchange(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Exchange(int* location, int value)
    {
        TestHooks.Interleave();
        return Interlocked.Exchange(ref *location, value);
    }

    /// <inheritdoc cref="Exchange(ref int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Exchange(long* location, long value)
    {
        TestHooks.Interleave();
        return Interlocked.Exchange(ref *location, value);
    }

    /// <summary>
    /// Writes <paramref name="value"/> if the location holds <paramref name="comparand"/>; returns what
    /// it held. <b>Full when it succeeds; when it fails, only an acquire load on arm64 LSE.</b> x64
    /// <c>lock cmpxchg</c> (full either way); arm64 LSE <c>casal</c>, which writes nothing when the
    /// compare fails, so it is then an acquire read and nothing more; ARMv8.0 an <c>ldaxr</c>, compare,
    /// <c>stlxr</c> loop whose failed compare also branches to the <c>dmb ish</c> (full either way).
    /// A failed CAS is never relied on for more than acquire.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CompareExchange(ref int location, int value, int comparand)
    {
        TestHooks.Interleave();
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    /// <inheritdoc cref="CompareExchange(ref int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort CompareExchange(ref ushort location, ushort value, ushort comparand)
    {
        TestHooks.Interleave();
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    /// <inheritdoc cref="CompareExchange(ref int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte CompareExchange(ref byte location, byte value, byte comparand)
    {
        TestHooks.Interleave();
        return Interlocked.CompareExchange(ref location, value, comparand);
    }

    /// <inheritdoc cref="CompareExchange(ref int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CompareExchange(int* location, int value, int comparand)
    {
        TestHooks.Interleave();
        return Interlocked.CompareExchange(ref *location, value, comparand);
    }

    /// <inheritdoc cref="CompareExchange(ref int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CompareExchange(long* location, long value, long comparand)
    {
        TestHooks.Interleave();
        return Interlocked.CompareExchange(ref *location, value, comparand);
    }

    /// <summary>
    /// Sets the bits of <paramref name="value"/> and returns the old value (the kernel's
    /// <c>atomic_fetch_or</c>); a full fence, because it always writes. x64 a <c>lock cmpxchg</c> loop
    /// (the old value is used); arm64 LSE <c>ldsetal</c>; ARMv8.0 a <see cref="CompareExchange(ref int, int, int)"/>
    /// loop (a plain <c>ldr</c> guess, then the CAS until it succeeds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Or(ref int location, int value)
    {
        TestHooks.Interleave();
        return Interlocked.Or(ref location, value);
    }

    /// <summary>
    /// A full fence: no later load moves before an earlier store. x64 <c>lock or [rsp], 0</c>; arm64
    /// <c>dmb ish</c>. Only where the process-wide barrier cannot be trusted (<see cref="Platform.ProcessBarrier"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FullFence()
    {
        TestHooks.Interleave();
        Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// The heavy half of an asymmetric Dekker handshake (<see cref="Interlocked.MemoryBarrierProcessWide"/>):
    /// when it returns, every other thread of the process has passed a full fence since it was called,
    /// so a store that thread made before its fence is visible to our loads after this call, and a load
    /// it makes after its fence sees our stores made before this call. That lets the light half, the
    /// paravirt unlock's release store followed by a plain load, go without a fence of its own.
    /// Linux: <c>membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)</c> (IPIs to the CPUs running this
    /// process's threads), else the runtime's <c>mprotect</c> fallback; Windows:
    /// <c>FlushProcessWriteBuffers</c>; macOS: each thread's registers are read. The same primitive the
    /// runtime's GC suspension relies on. Several microseconds: only for the rare side (a head about to park).
    /// Under test hooks a scheduling point only: Coyote's interleavings are sequentially consistent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MemoryBarrierProcessWide()
    {
        TestHooks.Interleave();
        if (!TestHooks.Enabled) Interlocked.MemoryBarrierProcessWide();
    }

    /// <summary>
    /// Adds one and returns the new value; a full fence. x64 <c>lock xadd</c>; arm64 LSE
    /// <c>ldaddal</c>; ARMv8.0 an <c>ldaxr</c>/<c>stlxr</c> loop, then <c>dmb ish</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Increment(ref long location)
    {
        TestHooks.Interleave();
        return Interlocked.Increment(ref location);
    }
}
