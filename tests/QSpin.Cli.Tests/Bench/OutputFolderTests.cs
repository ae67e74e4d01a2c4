using QSpin.Cli.Bench;

namespace QSpin.Cli.Tests.Bench;

/// <summary>Results appear under their final name only when complete; an interrupted run is named partial.</summary>
public sealed class OutputFolderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qspin-out-test-" + Guid.NewGuid().ToString("N"));

    public OutputFolderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesAsideThenRenamesIntoPlace()
    {
        string target = Path.Combine(_dir, "nested", "run");
        using var folder = OutputFolder.Create(target);
        File.WriteAllText(folder.PathOf("a.csv"), "x");
        Assert.False(Directory.Exists(target));
        Assert.Equal(target, folder.Commit(complete: true));
        Assert.True(File.Exists(Path.Combine(target, "a.csv")));
        Assert.False(Directory.Exists(folder.TempPath));
    }

    [Fact]
    public void InterruptedRunIsRenamedPartial()
    {
        string target = Path.Combine(_dir, "run");
        using var folder = OutputFolder.Create(target);
        Assert.Equal(target + "-partial", folder.Commit(complete: false));
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void AbandonedRunLeavesNothing()
    {
        string target = Path.Combine(_dir, "run");
        using (var folder = OutputFolder.Create(target)) File.WriteAllText(folder.PathOf("a.csv"), "x");
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void AnEmptyExistingFolderIsReplaced()
    {
        string target = Path.Combine(_dir, "run");
        Directory.CreateDirectory(target);
        using var folder = OutputFolder.Create(target);
        File.WriteAllText(folder.PathOf("a.csv"), "x");
        folder.Commit(complete: true);
        Assert.True(File.Exists(Path.Combine(target, "a.csv")));
    }

    [Fact]
    public void AFileInTheWayIsRefusedNamingOut()
    {
        string file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "");
        Assert.StartsWith("--out:", Assert.Throws<BenchArgumentException>(() => OutputFolder.Create(file)).Message);
        Assert.StartsWith("--out:", Assert.Throws<BenchArgumentException>(() => OutputFolder.Create(Path.Combine(file, "sub"))).Message);
    }
}
