using QSpin.Cli.Locks;

namespace QSpin.Cli.Torture;

/// <summary>The lock types <c>qspin torture --type</c> accepts (<see cref="LockCatalog.TortureLocks"/>), and their construction.</summary>
internal static class TortureLocks
{
    public const string QSpin = LockCatalog.QSpinInThisProcess;

    /// <summary>Every accepted type: QSpin, two deliberately broken locks, and .NET's own locks for comparison.</summary>
    public static readonly string[] Types = [.. LockCatalog.TortureLocks.Select(l => l.Name)];

    /// <summary>The <c>--type</c> help: each name, with what the catalog says of it.</summary>
    public static string Help => string.Join(", ", LockCatalog.TortureLocks.Select(l => l.TortureNote is null ? l.Name : $"{l.Name} ({l.TortureNote})"));

    public static bool IsKnown(string? type) => type is not null && Types.Contains(type);

    /// <summary>True when the type is built on QSpin, so the run reports this process's QSpin mode, slots and lock events.</summary>
    public static bool RunsInQSpinMode(string type) => LockCatalog.TortureLocks.FirstOrDefault(l => l.Name == type)?.InQSpinMode == true;

    /// <summary>Creates one lock of <paramref name="type"/>.</summary>
    /// <exception cref="InvalidOperationException">QSpin's mode setting (<c>QSPIN_MODE</c>) is invalid.</exception>
    public static ITortureLockArray Create(string type) =>
        LockCatalog.TortureLocks.FirstOrDefault(l => l.Name == type) is { Torture: { } create }
            ? create()
            : throw new ArgumentOutOfRangeException(nameof(type), type, "unknown lock type");
}
