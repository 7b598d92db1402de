namespace XcNotebooks.Core;

/// <summary>
/// What every trained model offers (napkinXC's shape): top-k prediction on a data set (features, or texts for text
/// encoders), its size, saving, and release of what it holds (device buffers). Each method's static
/// <c>Load(path, backend)</c> restores its model; <c>XcMethods.Load</c> reads the method from the file.
/// </summary>
public interface IXcModel : IDisposable
{
    /// <summary>The method's name as the CLI spells it ("wltls", "dsnc", ...).</summary>
    string Method { get; }

    /// <summary>The k best labels of each point of <paramref name="data"/> (never an N x L score matrix).</summary>
    TopKPredictions TopK(Dataset data, int k);

    /// <summary>Bytes of the model's parameters.</summary>
    long SizeBytes { get; }

    /// <summary>Writes the model atomically to <paramref name="path"/>.</summary>
    void Save(string path);
}

/// <summary>
/// A model that adds its own figures to a run's report (the original implementations' extra numbers: per-epoch
/// history, code statistics, traversal counts), computed after the test split was predicted.
/// </summary>
public interface IReportDetails
{
    /// <summary>
    /// Extra metrics (percent) and details of this model on <paramref name="data"/>, whose test split it predicted
    /// as <paramref name="testPredictions"/> in <paramref name="predictSeconds"/>; may log through <paramref name="monitor"/>.
    /// </summary>
    RunDetails ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor);
}

/// <summary>A model's additions to a run report.</summary>
public sealed record RunDetails
{
    /// <summary>Metrics to add to the report's (percent).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Method-specific details.</summary>
    public IReadOnlyDictionary<string, object?> Details { get; init; } = new Dictionary<string, object?>();
}
