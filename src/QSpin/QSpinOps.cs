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
/// </remarks>
public static class QSpinOps
{
    /// <summary>The environment variable that selects the mode.</summary>
    public const string EnvironmentVariable = "QSPIN_MODE";

    /// <summary>The AppContext / runtimeconfig property that selects the mode.</summary>
    public const string AppContextSetting = "QSpin.Mode";

    // Read by the lock's fast paths; folded to a constant by the Tier-1 JIT.
    internal static readonly QSpinMode Current;

    private static readonly string s_reason;
    private static readonly string? s_error;

    static QSpinOps()
    {
        if (!BitConverter.IsLittleEndian)
        {
            s_error = "QSpin's lock word layout needs a little-endian machine.";
            s_reason = s_error;
            return;
        }

        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        string? source;
        string? value;
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
                Current = QSpinMode.Native;
                s_reason = $"{source}: FIFO queue with pure spinning, for threads on dedicated cores";
                break;
            case "paravirt":
            case "pv":
                Current = QSpinMode.Paravirt;
                s_reason = $"{source}: bounded spinning, then parking; bounded lock stealing before queueing and while the queue head sleeps";
                break;
            case "tas":
            case "testandset":
                Current = QSpinMode.TestAndSet;
                s_reason = $"{source}: unfair test-and-set with back-off";
                break;
            case "auto":
                Current = QSpinMode.Paravirt;
                s_reason = (source is null ? $"auto ({EnvironmentVariable} and {AppContextSetting} unset)" : $"{source}")
                    + ": paravirt, because a process cannot know whether its lock users will outnumber its cores"
                    + (HypervisorPresent ? "; a hypervisor is present" : "");
                break;
            default:
                Current = QSpinMode.Paravirt;
                s_error = $"Invalid QSpin mode '{value}' from {source}. Accepted values: native, paravirt, tas, auto.";
                s_reason = s_error;
                break;
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
