namespace QSpin;

/// <summary>
/// The names of QSpin's feature switches: process-wide settings read once, which the Tier-1 JIT folds
/// as constants and which a NativeAOT or trimmed publish can fix at build time. Each is an
/// AppContext switch (runtimeconfig property); the properties that read them carry
/// <see cref="System.Diagnostics.CodeAnalysis.FeatureSwitchDefinitionAttribute"/>, so a project that sets one with
/// <c>&lt;RuntimeHostConfigurationOption Include="QSpin.Stats" Value="false" Trim="true" /&gt;</c>
/// has ILC (or ILLink) substitute the value: the property becomes a constant and the code behind the
/// dead branch is removed. Without <c>Trim="true"</c> the switch is still read at run time.
/// </summary>
internal static class FeatureSwitches
{
    /// <summary>Lock-event counting (also <c>QSPIN_STATS</c>, which wins when set and the switch is not fixed at build time).</summary>
    public const string Stats = "QSpin.Stats";

    /// <summary>Checked mode (also <c>QSPIN_CHECKED</c>).</summary>
    public const string Checked = "QSpin.Checked";

    /// <summary>Scheduling hooks for systematic tests; never set outside tests.</summary>
    public const string TestHooks = "QSpin.TestHooks";

    /// <summary>
    /// Pins the mode to native at build time. Set it to true and the other two mode pins to false, and
    /// <see cref="Stats"/>, <see cref="Checked"/> and <see cref="TestHooks"/> to false, each with
    /// <c>Trim="true"</c>, and a NativeAOT publish compiles <see cref="QSpinLock.Exit"/> to one byte
    /// store, whatever <c>QSPIN_MODE</c> says when the program runs (docs/design.md has the snippet).
    /// </summary>
    public const string PinNative = "QSpin.Mode.Native";

    /// <summary>Pins the mode to paravirt at build time (see <see cref="PinNative"/>).</summary>
    public const string PinParavirt = "QSpin.Mode.Paravirt";

    /// <summary>Pins the mode to test-and-set at build time (see <see cref="PinNative"/>).</summary>
    public const string PinTestAndSet = "QSpin.Mode.TestAndSet";

    /// <summary>An on/off setting: the environment variable when set (1, true, on), else the AppContext switch.</summary>
    public static bool Read(string environmentVariable, string appContextSwitch)
    {
        string? env = Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env.Trim() is "1" or "true" or "True" or "TRUE" or "on";
        return AppContext.TryGetSwitch(appContextSwitch, out bool on) && on;
    }

    /// <summary>A switch that is on only when the AppContext says so.</summary>
    public static bool IsOn(string appContextSwitch) => AppContext.TryGetSwitch(appContextSwitch, out bool on) && on;
}
