using QSpin;

namespace QSpin.Tests;

/// <summary>The mode is chosen once per process: each case runs in its own child process.</summary>
public class ModeSelectionTests
{
    private static ChildProcess.Result Mode(string? qspinMode, IEnumerable<string>? hostArgs = null) =>
        ChildProcess.Run("QSpin.TestHost", ["mode"], new Dictionary<string, string?> { ["QSPIN_MODE"] = qspinMode }, hostArgs: hostArgs);

    [Theory]
    [InlineData("native", "Native")]
    [InlineData("NATIVE", "Native")]
    [InlineData("paravirt", "Paravirt")]
    [InlineData("tas", "TestAndSet")]
    [InlineData("auto", "Paravirt")]
    [InlineData(null, "Paravirt")]
    public void EnvironmentVariableSelectsTheMode(string? value, string expected)
    {
        var r = Mode(value);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"mode={expected} ", r.Output);
    }

    [Fact]
    public void UnsetMeansAutoAndSaysWhy()
    {
        var r = Mode(null);
        Assert.Contains("auto", r.Output);
        Assert.Contains("outnumber its cores", r.Output);
    }

    [Fact]
    public void InvalidValueFailsFirstUseNamingTheValueAndTheAcceptedOnes()
    {
        var r = Mode("fastest");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("InvalidOperationException", r.Output);
        Assert.Contains("'fastest'", r.Output);
        Assert.Contains("native, paravirt, tas, auto", r.Output);
    }

    [Fact]
    public void AppContextSettingSelectsTheModeWhenTheVariableIsUnset()
    {
        var r = ModeWithRuntimeConfig(null, ("QSpin.Mode", "tas"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("mode=TestAndSet ", r.Output);
        Assert.Contains("AppContext setting QSpin.Mode=tas", r.Output);
    }

    [Fact]
    public void EnvironmentVariableWinsOverAppContextSetting()
    {
        var r = ModeWithRuntimeConfig("native", ("QSpin.Mode", "tas"));
        Assert.Contains("mode=Native ", r.Output);
    }

    [Fact]
    public void InfoPrintsTheModeAndReasonOrTheError()
    {
        var ok = ChildProcess.Run("QSpin.Cli", ["info"], new Dictionary<string, string?> { ["QSPIN_MODE"] = "native" });
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("mode:        Native", ok.Output);
        Assert.Contains("reason:      environment variable QSPIN_MODE=native", ok.Output);

        var bad = ChildProcess.Run("QSpin.Cli", ["info"], new Dictionary<string, string?> { ["QSPIN_MODE"] = "bogus" });
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("Invalid QSpin mode 'bogus'", bad.Output);
    }

    [Fact]
    public void ABuildTimePinWinsOverTheVariableAndTheSettingAndSaysSo()
    {
        var r = ModeWithRuntimeConfig("paravirt", ("QSpin.Mode", "native"), ("QSpin.Mode.TestAndSet", true), ("QSpin.Mode.Native", false));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("mode=TestAndSet ", r.Output);
        Assert.Contains("feature switch QSpin.Mode.TestAndSet=true, fixed when the program was built (QSPIN_MODE=paravirt is ignored)", r.Output);
    }

    [Fact]
    public void TwoPinsAreAConfigurationErrorNamingBoth()
    {
        var r = ModeWithRuntimeConfig(null, ("QSpin.Mode.Native", true), ("QSpin.Mode.Paravirt", true));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("InvalidOperationException", r.Output);
        Assert.Contains("Conflicting QSpin mode pins: QSpin.Mode.Native and QSpin.Mode.Paravirt", r.Output);
    }

    /// <summary>Runs the mode scenario with <paramref name="mode"/> as QSPIN_MODE and a runtimeconfig holding <paramref name="properties"/>, deleted afterwards.</summary>
    private static ChildProcess.Result ModeWithRuntimeConfig(string? mode, params (string Name, object Value)[] properties)
    {
        string config = WriteRuntimeConfig(properties);
        try
        {
            return Mode(mode, hostArgs: ["--runtimeconfig", config]);
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>The test host's runtimeconfig with these AppContext properties added, in a temporary file.</summary>
    private static string WriteRuntimeConfig((string Name, object Value)[] properties)
    {
        string src = Path.Combine(AppContext.BaseDirectory, "QSpin.TestHost.runtimeconfig.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(src))!;
        var options = json["runtimeOptions"]!.AsObject();
        options["configProperties"] ??= new System.Text.Json.Nodes.JsonObject();
        foreach (var (name, value) in properties)
            options["configProperties"]![name] = value is bool b ? System.Text.Json.Nodes.JsonValue.Create(b) : System.Text.Json.Nodes.JsonValue.Create((string)value);
        string path = Path.Combine(Path.GetTempPath(), $"qspin-{Guid.NewGuid():N}.runtimeconfig.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}
