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
/// A model spread over the ranks of a collective, each rank holding its part (e.g. its shard of the labels' weights),
/// so that no rank holds the whole model. Its <see cref="IXcModel.TopK"/> and <see cref="IXcModel.Save"/> are
/// collective operations: every rank of <see cref="Collective"/> calls them in step with the same data (MPI's
/// model). TopK returns the predictions on rank 0 (the other ranks get padding, label -1); Save writes the file on
/// rank 0 alone (the other ranks send their parts and ignore the path) and, when rank 0 cannot write it, throws on
/// every rank (an <see cref="IOException"/> for an I/O failure, so all ranks can try again together).
/// <see cref="IXcModel.SizeBytes"/> is the whole model's.
/// </summary>
public interface ICollectiveModel : IXcModel
{
    /// <summary>The ranks holding the model's parts.</summary>
    ICollective Collective { get; }
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
