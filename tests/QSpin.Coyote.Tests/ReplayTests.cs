using Xunit.Abstractions;

namespace QSpin.Coyote.Tests;

/// <summary>A found bug replays from its file: same schedule, same failure.</summary>
public class ReplayTests(ITestOutputHelper output)
{
    /// <summary>
    /// With <c>QSPIN_COYOTE_REPLAY=path/to/x.replay.json</c>, replays that file (written by any failing
    /// run into <c>bin/Release/net10.0/coyote-traces/</c>) and prints its readable trace. Without it,
    /// finds the PvUnlockNoKick mutant, then replays the file that run wrote.
    /// </summary>
    [Fact]
    public void ReplayReproducesTheBug()
    {
        string? path = Environment.GetEnvironmentVariable("QSPIN_COYOTE_REPLAY");
        RunResult? original = null;
        if (string.IsNullOrEmpty(path))
        {
            original = CoyoteRunner.Run(Scenarios.Paravirt3x2Parking, Mutant.PvUnlockNoKick, 3000, CoyoteRunner.Seed);
            Assert.True(original.FoundBug, "the PvUnlockNoKick mutant was not found, so there is nothing to replay");
            path = CoyoteRunner.ReplayPath(Scenarios.Paravirt3x2Parking, Mutant.PvUnlockNoKick);
        }

        (RunResult replay, string story, string storyPath) = CoyoteRunner.Replay(path);
        output.WriteLine($"replayed {path}");
        output.WriteLine(replay.Summary());
        string[] lines = story.Split(Environment.NewLine);
        output.WriteLine($"story of the failing schedule ({lines.Length} lines, all in {storyPath}); the last 60:");
        foreach (string line in lines.TakeLast(60)) output.WriteLine(line);
        Assert.True(replay.FoundBug, $"replaying {path} did not reproduce the bug");
        if (original is not null) Assert.Equal(original.BugReport, replay.BugReport);
    }
}
