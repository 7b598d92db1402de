namespace XcNotebooks.Cli.Common;

/// <summary>
/// Writes an output of a finished run so that a late write failure never loses the run: when the asked path fails,
/// the output goes to a fallback path in the temporary folder, and the failure is recorded for the final error line.
/// </summary>
public static class OutputFallback
{
    /// <summary>
    /// Calls <paramref name="write"/> on <paramref name="path"/>; when that fails with an I/O or permission error,
    /// calls it on a fallback path (same file name, in a fresh folder under the temporary folder) and adds
    /// "PATH: cannot write the WHAT (reason); saved to FALLBACK instead" to <paramref name="failures"/>. Returns the
    /// path written.
    /// </summary>
    public static string Write(string path, string what, Action<string> write, ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(failures);
        try
        {
            write(path);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"xcn-fallback-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
            Directory.CreateDirectory(folder);
            var fallback = Path.Combine(folder, Path.GetFileName(path));
            write(fallback);
            failures.Add($"{path}: cannot write the {what} ({e.Message}); saved to {fallback} instead");
            return fallback;
        }
    }
}
