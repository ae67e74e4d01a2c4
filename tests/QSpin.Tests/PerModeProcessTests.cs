namespace QSpin.Tests;

/// <summary>Mutual exclusion and FIFO through the public API, each mode in its own process.</summary>
public class PerModeProcessTests
{
    private static ChildProcess.Result Run(string mode, params string[] args) =>
        ChildProcess.Run("QSpin.TestHost", args, new Dictionary<string, string?> { ["QSPIN_MODE"] = mode });

    [Theory]
    [InlineData("native", 2, 50_000)]
    [InlineData("native", 4, 2_000)]
    [InlineData("native", 16, 300)]
    [InlineData("paravirt", 2, 50_000)]
    [InlineData("paravirt", 4, 50_000)]
    [InlineData("paravirt", 16, 20_000)]
    [InlineData("tas", 2, 50_000)]
    [InlineData("tas", 4, 50_000)]
    [InlineData("tas", 16, 20_000)]
    public void StressThroughThePublicApi(string mode, int threads, int iterations)
    {
        var r = Run(mode, "stress", threads.ToString(), iterations.ToString());
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("violations=0", r.Output);
    }

    [Theory]
    [InlineData("native")]
    [InlineData("paravirt")]
    public void FifoThroughThePublicApi(string mode)
    {
        var r = Run(mode, "fifo", "8");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("order=0,1,2,3,4,5,6,7", r.Output);
    }
}
