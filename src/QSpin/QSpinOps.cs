using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace QSpin;

/// <summary>
/// The process-wide choice between the native, paravirtual and test-and-set lock, made once before
/// the first lock is created, the way the Linux kernel patches <c>pv_lock_ops</c> at boot. The choice
/// is a <c>static readonly</c> value, so the Tier-1 JIT treats it as a constant, drops the branches of
/// the other modes and inlines the live one: in <see cref="QSpinMode.Native"/> mode
/// <see cref="QSpinLock.Exit"/> becomes a single byte store.
/// </summary>
/// <remarks>
/// Selection order: the environment variable <c>QSPIN_MODE</c> (<c>native</c>, <c>paravirt</c>,
/// <c>tas</c>, <c>auto</c>, case-insensitive), else the runtimeconfig / AppContext setting
/// <c>QSpin.Mode</c> with the same values, else <c>auto</c>. <c>auto</c> selects
/// <see cref="QSpinMode.Paravirt"/>: a process cannot know whether its lock users will outnumber its
/// cores, and the paravirtual lock costs little when they do not. An unknown value is not silently
/// ignored: constructing a <see cref="QSpinLock"/> or reading <see cref="Mode"/> throws an
/// <see cref="InvalidOperationException"/> naming the bad value and the accepted ones.
/// <para>
/// A program can instead pin the mode when it is built, which NativeAOT needs to fold it: the boolean
/// runtimeconfig switches <c>QSpin.Mode.Native</c>, <c>QSpin.Mode.Paravirt</c> and
/// <c>QSpin.Mode.TestAndSet</c>, set as <c>RuntimeHostConfigurationOption</c> items with
/// <c>Trim="true"</c> (one true, the other two false). A pinned mode ignores <c>QSPIN_MODE</c> and
/// <c>QSpin.Mode</c>; two pins set to true are a configuration error like an unknown value.
/// </para>
/// </remarks>
public static class QSpinOps
{
    /// <summary>The environment variable that selects the mode.</summary>
    public const string EnvironmentVariable = "QSPIN_MODE";

    /// <summary>The AppContext / runtimeconfig property that selects the mode.</summary>
    public const string AppContextSetting = "QSpin.Mode";

    /// <summary>
    /// The mode the lock's paths read. The Tier-1 JIT folds it (every part is a static readonly value);
    /// NativeAOT folds it when the mode is pinned at build time (the feature switches below).
    /// </summary>
    internal static QSpinMode Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => PinnedNative ? QSpinMode.Native
            : PinnedParavirt ? QSpinMode.Paravirt
            : PinnedTestAndSet ? QSpinMode.TestAndSet
            : s_selected;
    }

    // Build-time pins (feature switches): see FeatureSwitches.PinNative.
    [FeatureSwitchDefinition(FeatureSwitches.PinNative)]
    internal static bool PinnedNative { get; } = FeatureSwitches.IsOn(FeatureSwitches.PinNative);

    [FeatureSwitchDefinition(FeatureSwitches.PinParavirt)]
    internal static bool PinnedParavirt { get; } = FeatureSwitches.IsOn(FeatureSwitches.PinParavirt);

    [FeatureSwitchDefinition(FeatureSwitches.PinTestAndSet)]
    internal static bool PinnedTestAndSet { get; } = FeatureSwitches.IsOn(FeatureSwitches.PinTestAndSet);

    // The configuration, read once. Field initializers only (no static constructor), so the type is
    // beforefieldinit: a caller whose mode is pinned at build time reads no field of this class and
    // needs no class-initialisation check (NativeAOT would otherwise keep one in every Exit).
    private static readonly (QSpinMode Mode, string Reason, string? Error) s_config = Select();

    // The mode chosen at run time, when no pin is set.
    private static readonly QSpinMode s_selected = s_config.Mode;

    private static readonly string s_reason = s_config.Reason;
    private static readonly string? s_error = s_config.Error;

    private static (QSpinMode Mode, string Reason, string? Error) Select()
    {
        if (!BitConverter.IsLittleEndian)
        {
            const string error = "QSpin's lock word layout needs a little-endian machine.";
            return (QSpinMode.Paravirt, error, error);
        }

        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        (string Switch, QSpinMode Mode)[] pins =
        [
            .. new[] { (PinnedNative, FeatureSwitches.PinNative, QSpinMode.Native), (PinnedParavirt, FeatureSwitches.PinParavirt, QSpinMode.Paravirt), (PinnedTestAndSet, FeatureSwitches.PinTestAndSet, QSpinMode.TestAndSet) }
                .Where(p => p.Item1).Select(p => (p.Item2, p.Item3)),
        ];
        if (pins.Length > 1)
        {
            string error = $"Conflicting QSpin mode pins: {string.Join(" and ", pins.Select(p => p.Switch))} are set to true; set at most one.";
            return (QSpinMode.Paravirt, error, error);
        }
        if (pins.Length == 1)
        {
            return (pins[0].Mode, $"feature switch {pins[0].Switch}=true, fixed when the program was built"
                + (string.IsNullOrWhiteSpace(env) ? "" : $" ({EnvironmentVariable}={env} is ignored)"), null);
        }

        string? source;
        string value;
        if (!string.IsNullOrWhiteSpace(env))
        {
            source = $"environment variable {EnvironmentVariable}={env}";
            value = env;
        }
        else if (AppContext.GetData(AppContextSetting) is { } data && data.ToString() is { Length: > 0 } text)
        {
            source = $"AppContext setting {AppContextSetting}={text}";
            value = text;
        }
        else
        {
            source = null;
            value = "auto";
        }

        switch (value.Trim().ToLowerInvariant())
        {
            case "native":
                return (QSpinMode.Native, $"{source}: FIFO queue with pure spinning, for threads on dedicated cores", null);
            case "paravirt":
            case "pv":
                return (QSpinMode.Paravirt, $"{source}: bounded spinning, then parking; bounded lock stealing before queueing and while the queue head sleeps", null);
            case "tas":
            case "testandset":
                return (QSpinMode.TestAndSet, $"{source}: unfair test-and-set with back-off", null);
            case "auto":
                return (QSpinMode.Paravirt,
                    (source is null ? $"auto ({EnvironmentVariable} and {AppContextSetting} unset)" : $"{source}")
                    + ": paravirt, because a process cannot know whether its lock users will outnumber its cores"
                    + (HypervisorPresent ? "; a hypervisor is present" : ""), null);
            default:
                string error = $"Invalid QSpin mode '{value}' from {source}. Accepted values: native, paravirt, tas, auto.";
                return (QSpinMode.Paravirt, error, error);
        }
    }

    /// <summary>The mode every <see cref="QSpinLock"/> in this process uses; fixed for the process lifetime.</summary>
    /// <exception cref="InvalidOperationException">The configured mode is not one of the accepted values.</exception>
    public static QSpinMode Mode
    {
        get
        {
            ThrowIfInvalid();
            return Current;
        }
    }

    /// <summary>Why this mode was chosen: the setting that chose it, or the configuration error.</summary>
    public static string Reason => s_reason;

    /// <summary>The configuration error, or null when the mode setting is valid.</summary>
    public static string? ConfigurationError => s_error;

    /// <summary>True when CPUID reports that this process runs under a hypervisor (x86 only; false elsewhere).</summary>
    public static bool HypervisorPresent => X86Base.IsSupported && (X86Base.CpuId(1, 0).Ecx & (1 << 31)) != 0;

    internal static void ThrowIfInvalid()
    {
        if (s_error is not null) throw new InvalidOperationException(s_error);
    }
}
