using System.Collections.Immutable;

namespace QSpin.Analyzers;

/// <summary>
/// The locks held at one point of a method, by key (<see cref="LockKeys"/>): <see cref="May"/>
/// those held on some path to the point (for QSPIN002: an await with any of them held is reported),
/// <see cref="Must"/> those held on every path (for QSPIN003: entering one of them again cannot succeed).
/// </summary>
internal sealed class HeldLocks(ImmutableHashSet<string> may, ImmutableHashSet<string> must)
{
    public static readonly HeldLocks None = new([], []);

    public ImmutableHashSet<string> May { get; } = may;

    public ImmutableHashSet<string> Must { get; } = must;

    /// <summary>After an acquisition that succeeded.</summary>
    public HeldLocks Acquire(string key) => new(May.Add(key), Must.Add(key));

    /// <summary>After an acquisition that may have failed (a TryEnter whose result is not tested on the spot).</summary>
    public HeldLocks MaybeAcquire(string key) => new(May.Add(key), Must);

    public HeldLocks Release(string key) => new(May.Remove(key), Must.Remove(key));

    /// <summary>Forgets every key that <paramref name="changed"/> is part of (that variable was assigned, so the keys may name other locks now).</summary>
    public HeldLocks Forget(string changed) =>
        new(May.Where(k => !LockKeys.Mentions(k, changed)).ToImmutableHashSet(), Must.Where(k => !LockKeys.Mentions(k, changed)).ToImmutableHashSet());

    /// <summary>Where two paths meet.</summary>
    public HeldLocks Join(HeldLocks other) => new(May.Union(other.May), Must.Intersect(other.Must));

    public bool SameAs(HeldLocks other) => May.SetEquals(other.May) && Must.SetEquals(other.Must);
}
