namespace QSpin.Tests;

/// <summary>
/// Publishes a project of this repository for a runtime identifier into a temporary folder, with its
/// intermediate files there too (<c>--artifacts-path</c>), so that nothing lands in the source tree.
/// </summary>
internal static class Publisher
{
    /// <summary>The repository root: the folder holding QSpin.slnx, above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "QSpin.slnx"))) return d.FullName;
        throw new InvalidOperationException($"no QSpin.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// <c>dotnet publish</c> of <paramref name="project"/> (a folder under the repository root, named
    /// like its .csproj) for <paramref name="rid"/> into <c>root/name</c>, intermediates in
    /// <c>root/artifacts</c>; returns the output folder, or fails the test with the build's output.
    /// </summary>
    public static string Publish(string project, string rid, string root, params string[] extra)
    {
        string name = Path.GetFileName(project);
        string output = Path.Combine(root, name);
        var r = ChildProcess.RunProgram("dotnet", ["publish", Path.Combine(RepositoryRoot(), project, name + ".csproj"),
            "-c", "Release", "-r", rid, "-o", output, "--artifacts-path", Path.Combine(root, "artifacts"), "-nologo", .. extra],
            timeout: TimeSpan.FromMinutes(8));
        Assert.True(r.ExitCode == 0, $"dotnet publish of {project} for {rid} failed (exit {r.ExitCode}):\n{r.Output}");
        return output;
    }
}
