namespace XcNotebooks.Tests;

/// <summary>Locates ../shared/data and makes temporary files for tests.</summary>
internal static class TestData
{
    /// <summary>The shared data folder (../shared/data beside the repository), or null if absent.</summary>
    public static string? SharedRoot { get; } = FindShared();

    /// <summary>The repository root (the folder holding XcNotebooks.sln), found upwards from the test binaries.</summary>
    public static string RepoRoot => FindRepoRoot();

    /// <summary>A path under the shared data folder, or null when the folder is absent.</summary>
    public static string? Shared(params string[] parts) =>
        SharedRoot is null ? null : Path.Combine([SharedRoot, .. parts]);

    /// <summary>Writes <paramref name="content"/> to a fresh temporary file named <paramref name="name"/>.</summary>
    public static string TempFile(string name, string content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "xcn-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A fresh empty temporary directory.</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "xcn-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "XcNotebooks.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no XcNotebooks.sln above {AppContext.BaseDirectory}");
    }

    private static string? FindShared() => XcNotebooks.Notebooks.NotebookEnv.SharedDataRoot(AppContext.BaseDirectory);
}
