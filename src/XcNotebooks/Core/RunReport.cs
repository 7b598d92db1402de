using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace XcNotebooks.Core;

/// <summary>
/// What one run of a method produced, in the shape every `xcn METHOD --report FILE.json` writes: method, data
/// files, options, metrics, timings, model size, peak memory, and method-specific details (per-epoch figures,
/// tables).
/// </summary>
public sealed record RunReport
{
    /// <summary>The method's CLI name.</summary>
    public required string Method { get; init; }

    /// <summary>Data files by role ("train", "heldout", "test").</summary>
    public IReadOnlyDictionary<string, string> DatasetFiles { get; init; } = new Dictionary<string, string>();

    /// <summary>The method's options (serialised as they are).</summary>
    public object? Options { get; init; }

    /// <summary>Metrics by name ("accuracy", "P@1", "nDCG@3", "PSP@5", ...), in percent.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Seconds spent training.</summary>
    public double TrainSeconds { get; init; }

    /// <summary>Seconds spent predicting the test split.</summary>
    public double PredictSeconds { get; init; }

    /// <summary>Size of the saved model (or its parameters) in bytes.</summary>
    public long ModelBytes { get; init; }

    /// <summary>Peak working set of the process in bytes.</summary>
    public long PeakMemoryBytes { get; init; } = CurrentPeakMemory();

    /// <summary>Method-specific results: per-epoch figures, tables, counts.</summary>
    public IReadOnlyDictionary<string, object?> Details { get; init; } = new Dictionary<string, object?>();

    /// <summary>Library version that produced the report.</summary>
    public string Version { get; init; } = Kit.Version;

    /// <summary>When the report was made (UTC).</summary>
    public DateTime CreatedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>Peak working set of this process so far (since the start, or since the last <see cref="ResetPeakMemory"/>).</summary>
    public static long CurrentPeakMemory()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    /// <summary>
    /// Starts the peak working set afresh from the current one, so that runs one after the other in one process each
    /// report their own peak (Linux: "5" to /proc/self/clear_refs resets VmHWM). False where that is not possible
    /// (other systems, or /proc not writable): <see cref="CurrentPeakMemory"/> then stays the peak since the start.
    /// </summary>
    public static bool ResetPeakMemory()
    {
        const string clearRefs = "/proc/self/clear_refs";
        if (!OperatingSystem.IsLinux() || !File.Exists(clearRefs)) return false;
        try
        {
            File.WriteAllText(clearRefs, "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>JSON settings for reports: indented, camelCase, enums as strings, NaN allowed.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The report as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Writes the report as JSON, atomically.</summary>
    public void Save(string path) => InputFile.WriteTextAtomic(path, w => w.Write(ToJson()));
}
