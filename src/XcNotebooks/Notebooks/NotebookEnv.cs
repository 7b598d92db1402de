namespace XcNotebooks.Notebooks;

/// <summary>
/// What a notebook or script learns from the environment it runs in. <c>xcn run --fast</c> sets
/// <see cref="FastVariable"/> so notebooks shrink data and epochs (CI executes every notebook that way).
/// </summary>
public static class NotebookEnv
{
    /// <summary>The environment variable that turns fast mode on ("1" or "true").</summary>
    public const string FastVariable = "XCN_FAST";

    /// <summary>The environment variable naming the shared data folder (the real data sets) explicitly.</summary>
    public const string SharedDataVariable = "XCN_SHARED_DATA";

    /// <summary>True in fast mode: use small data and few epochs.</summary>
    public static bool Fast =>
        Environment.GetEnvironmentVariable(FastVariable) is { } v && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary><paramref name="fast"/> in fast mode, <paramref name="full"/> otherwise: <c>int epochs = NotebookEnv.Pick(full: 30, fast: 2);</c>.</summary>
    public static T Pick<T>(T full, T fast) => Fast ? fast : full;

    /// <summary>
    /// The shared data folder (../shared/data beside the repository, holding sector, hmc, ...): the folder named by
    /// <see cref="SharedDataVariable"/> when it exists, else the first "shared/data" folder found going up from
    /// <paramref name="startDirectory"/> (default: the current directory, which the runner sets to the notebook's
    /// folder); null when there is none, so notebooks can fall back to the embedded data.
    /// </summary>
    public static string? SharedDataRoot(string? startDirectory = null)
    {
        if (Environment.GetEnvironmentVariable(SharedDataVariable) is { Length: > 0 } configured && Directory.Exists(configured))
            return Path.GetFullPath(configured);
        for (var dir = new DirectoryInfo(startDirectory ?? Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// An existing file or folder under the shared data folder (e.g. <c>SharedData("hmc", "Diatoms_test.arff")</c>
    /// or <c>SharedData("sector")</c>), or null when the shared folder or that entry is absent.
    /// </summary>
    public static string? SharedData(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (SharedDataRoot() is not { } root) return null;
        var path = Path.Combine([root, .. parts]);
        return File.Exists(path) || Directory.Exists(path) ? path : null;
    }
}
