namespace QSpin.Cli.Bench;

/// <summary>The --out value is unusable; the message names the option.</summary>
internal sealed class BenchArgumentException(string message) : Exception(message);

/// <summary>
/// The results folder, written in a hidden sibling folder (<c>.NAME.tmp-PID</c>) and renamed into place
/// only when every file is written, so a folder under the final name is always complete. A run that
/// was interrupted is renamed to <c>NAME-partial</c> instead, and its files say so.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private bool _committed;

    /// <summary>The name the results get when complete.</summary>
    public string FinalPath { get; }

    /// <summary>Where the files are written meanwhile.</summary>
    public string TempPath { get; }

    private OutputFolder(string finalPath, string tempPath)
    {
        FinalPath = finalPath;
        TempPath = tempPath;
    }

    /// <summary>The default results folder: ./results/bench-&lt;local time&gt;.</summary>
    public static string DefaultPath(DateTime now) => Path.Combine("results", $"bench-{now:yyyyMMdd-HHmmss}");

    /// <summary>Checks the target and creates the temporary folder; throws <see cref="BenchArgumentException"/> naming --out when that is impossible.</summary>
    public static OutputFolder Create(string path)
    {
        string full = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) is { Length: > 0 } p ? p : path);
        if (File.Exists(full)) throw new BenchArgumentException($"--out: '{path}' is a file, not a folder");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            throw new BenchArgumentException($"--out: '{path}' already exists and is not empty");
        if (File.Exists(PartialPath(full)) || Directory.Exists(PartialPath(full)))
            throw new BenchArgumentException($"--out: '{PartialPath(full)}' already exists");
        string parent = Path.GetDirectoryName(full) ?? throw new BenchArgumentException($"--out: '{path}' has no parent folder");
        string temp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(parent);
            Directory.CreateDirectory(temp);
            File.WriteAllText(Path.Combine(temp, ".probe"), "");
            File.Delete(Path.Combine(temp, ".probe"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            TryDelete(temp);
            throw new BenchArgumentException($"--out: cannot write to '{path}': {e.Message}");
        }
        return new OutputFolder(full, temp);
    }

    /// <summary>The folder an interrupted run is renamed to.</summary>
    public static string PartialPath(string finalPath) => finalPath + "-partial";

    /// <summary>A file inside the temporary folder.</summary>
    public string PathOf(string name) => Path.Combine(TempPath, name);

    /// <summary>Renames the temporary folder into place (<see cref="FinalPath"/>, or its -partial name); returns the result's path.</summary>
    public string Commit(bool complete)
    {
        string target = complete ? FinalPath : PartialPath(FinalPath);
        if (Directory.Exists(target)) Directory.Delete(target); // an empty folder the user made for us
        Directory.Move(TempPath, target);
        _committed = true;
        return target;
    }

    /// <summary>Removes the temporary folder unless it was committed.</summary>
    public void Dispose()
    {
        if (!_committed) TryDelete(TempPath);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
