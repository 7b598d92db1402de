using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.TwoTower;

/// <summary>
/// Exact search on a compute backend: the normalised label vectors stay on the backend; queries go in chunks
/// through one GEMM (chunk x d by d x L) and the backend's per-row top-k. Exact, deterministic, and fast at the
/// label counts where the kit trains text encoders (hundreds of thousands of labels on a GPU).
/// </summary>
public sealed class ExactLabelIndex : ILabelIndex
{
    private readonly IComputeBackend _backend;
    private readonly Tensor _labels;
    private readonly int _chunk;

    /// <summary>Indexes the rows of <paramref name="labelVectors"/> (normalised here); queries run <paramref name="queryChunk"/> at a time.</summary>
    public ExactLabelIndex(IComputeBackend backend, RowMajorMatrix labelVectors, int queryChunk = 1024)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        ArgumentNullException.ThrowIfNull(labelVectors);
        if (labelVectors.Rows < 1) throw new ArgumentException("no label vectors to index");
        if (queryChunk < 1) throw new ArgumentException($"query chunk must be positive, got {queryChunk}");
        _chunk = queryChunk;
        Count = labelVectors.Rows;
        Dimension = labelVectors.Cols;
        using var raw = backend.Upload(labelVectors);
        using var norms = backend.Allocate(Count, 1);
        _labels = backend.Allocate(Count, Dimension);
        backend.L2Normalize(raw, _labels, norms);
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public LabelIndexKind Kind => LabelIndexKind.Exact;

    /// <summary>The normalised label vectors held on the backend (the model file stores the vectors themselves).</summary>
    public long SizeBytes => (long)Count * Dimension * sizeof(float);

    /// <inheritdoc />
    public TopKPredictions Search(RowMajorMatrix queries, int k, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (k < 1) throw new ArgumentException($"k must be positive, got {k}");
        if (queries.Cols != Dimension) throw new ArgumentException($"queries have {queries.Cols} columns, the index {Dimension}");
        var result = new TopKPredictions(queries.Rows, k, new int[queries.Rows * k], new float[queries.Rows * k]);
        for (int start = 0; start < queries.Rows; start += _chunk)
        {
            int rows = Math.Min(_chunk, queries.Rows - start);
            using var q = _backend.Upload(queries.Data.AsSpan(start * Dimension, rows * Dimension).ToArray(), rows, Dimension);
            using var unit = _backend.Allocate(rows, Dimension);
            using var norms = _backend.Allocate(rows, 1);
            using var scores = _backend.Allocate(rows, Count);
            using var values = _backend.Allocate(rows, k);
            using var indices = _backend.AllocateInt(rows, k);
            _backend.L2Normalize(q, unit, norms);
            _backend.Gemm(unit, false, _labels, true, scores);
            _backend.TopK(scores, values, indices);
            values.CopyTo(result.Scores.AsSpan(start * k, rows * k));
            indices.CopyTo(result.Labels.AsSpan(start * k, rows * k));
            monitor?.Report("search", start + rows, queries.Rows);
        }
        return result;
    }

    /// <summary>Frees the label vectors on the backend.</summary>
    public void Dispose() => _labels.Dispose();

    /// <summary>Size and backend.</summary>
    public override string ToString() => $"ExactLabelIndex {Count:N0} labels x {Dimension} on {_backend.Name}";
}
