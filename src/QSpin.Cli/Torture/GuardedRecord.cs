namespace QSpin.Cli.Torture;

/// <summary>
/// The data one lock protects, and the checks that catch two writers inside at once: a "held"
/// flag that must be clear on entry, a plain (non-atomic) sequence counter, and a record of four
/// words written one by one that must always agree with each other and with the counter.
/// </summary>
/// <remarks>
/// A write is split across the critical section: <see cref="Begin"/> checks the state and writes the
/// first two words, the writer's delay follows, and <see cref="End"/> checks that nothing changed and
/// writes the rest. So while a writer is inside, the record is deliberately torn, and any intruder
/// sees either the held flag or the torn record. A lost update (two writers reading the same counter)
/// is caught at the end of the run, when the counter must equal the number of acquisitions.
/// The fields are plain on purpose; only the flag uses volatile accesses, so that the compiler cannot
/// merge its check with its set.
/// </remarks>
internal sealed class GuardedRecord
{
    private int _held;
    private int _holder = -1;
    private long _seq;
    private long _w0, _w1, _w2, _w3;

    /// <summary>Entry by <paramref name="writer"/>: null when the lock really is exclusive, else what was found.</summary>
    /// <param name="writer">The writer's id, kept for the exit check and for dumps.</param>
    /// <param name="seen">The counter value found on entry, to be passed to <see cref="End"/>.</param>
    public string? Begin(int writer, out long seen)
    {
        string? problem = null;
        if (Volatile.Read(ref _held) != 0)
            problem = $"held on entry (holder: writer {_holder})";
        Volatile.Write(ref _held, 1);
        _holder = writer;

        long s = _seq;
        if (problem is null && (_w0 != s || _w1 != s || _w2 != s || _w3 != s))
            problem = $"record torn on entry: {Words()}";
        seen = s;
        long next = s + 1;
        _w0 = next;
        _w1 = next;
        return problem;
    }

    /// <summary>Exit by <paramref name="writer"/>: null when nobody touched the record since <see cref="Begin"/>, else what changed.</summary>
    public string? End(int writer, long seen)
    {
        long next = seen + 1;
        string? problem = null;
        if (Volatile.Read(ref _held) != 1 || _holder != writer)
            problem = $"held flag or holder changed while held (held {_held}, holder: writer {_holder})";
        else if (_seq != seen || _w0 != next || _w1 != next || _w2 != seen || _w3 != seen)
            problem = $"record changed while held: expected seq {seen}, {Words()}";

        // Write the whole record, so that after a collision it agrees again once the last writer leaves.
        _w0 = next;
        _w1 = next;
        _w2 = next;
        _w3 = next;
        _seq = next;
        _holder = -1;
        Volatile.Write(ref _held, 0);
        return problem;
    }

    /// <summary>After every writer has left: the record must be consistent and count every acquisition.</summary>
    public string? CheckFinal(long acquisitions)
    {
        if (Volatile.Read(ref _held) != 0) return $"held flag still set after every writer left (holder: writer {_holder})";
        if (_w0 != _seq || _w1 != _seq || _w2 != _seq || _w3 != _seq) return $"record inconsistent at the end: {Words()}";
        if (_seq != acquisitions) return $"lost updates: counter {_seq}, but writers acquired the lock {acquisitions} times";
        return null;
    }

    /// <summary>The state for a dump (racy snapshot).</summary>
    public string Describe() => $"held={Volatile.Read(ref _held)} holder=writer {Volatile.Read(ref _holder)} {Words()}";

    private string Words() => $"seq {Volatile.Read(ref _seq)}, words {Volatile.Read(ref _w0)}/{Volatile.Read(ref _w1)}/{Volatile.Read(ref _w2)}/{Volatile.Read(ref _w3)}";
}
