using System.Text.Json;
using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.TwoTower;

/// <summary>How an embedding-based method finds the labels nearest to a query.</summary>
public enum LabelIndexKind
{
    /// <summary>Exact below <see cref="LabelIndexOptions.HnswFromLabels"/> labels, HNSW from there on.</summary>
    Auto,
    /// <summary>Exact cosine search on the compute backend (<see cref="ExactLabelIndex"/>): the reference.</summary>
    Exact,
    /// <summary>Approximate search in a USearch HNSW graph (<see cref="HnswLabelIndex"/>).</summary>
    Hnsw,
}

/// <summary>
/// Nearest labels by cosine similarity: the shortlist of embedding-based methods (DEXA's label-embedding and
/// classifier indices, DEXML's retrieval). Exact search (<see cref="ExactLabelIndex"/>) and HNSW
/// (<see cref="HnswLabelIndex"/>) implement it; <see cref="LabelIndexes"/> builds, saves and loads either.
/// </summary>
public interface ILabelIndex : IDisposable
{
    /// <summary>Number of labels indexed.</summary>
    int Count { get; }

    /// <summary>Vector dimension.</summary>
    int Dimension { get; }

    /// <summary>Exact or HNSW.</summary>
    LabelIndexKind Kind { get; }

    /// <summary>Bytes the index holds (vectors, and the graph of an HNSW index).</summary>
    long SizeBytes { get; }

    /// <summary>
    /// The <paramref name="k"/> labels most similar to each query row (cosine), best first; padded with label -1 and
    /// score -infinity where fewer are found.
    /// </summary>
    TopKPredictions Search(RowMajorMatrix queries, int k, TrainingMonitor? monitor = null);
}

/// <summary>Which label index a method builds (part of DEXA's and DEXML's options, so it is saved with the model).</summary>
public sealed record LabelIndexOptions
{
    /// <summary>Exact, HNSW, or exact below <see cref="HnswFromLabels"/> labels and HNSW from there on.</summary>
    public LabelIndexKind Kind { get; init; } = LabelIndexKind.Auto;

    /// <summary>
    /// With <see cref="LabelIndexKind.Auto"/>, the label count from which HNSW replaces exact search: below it one
    /// GEMM over all labels is cheap and exact; above it exact search's cost per query grows with the labels.
    /// </summary>
    public int HnswFromLabels { get; init; } = 20_000;

    /// <summary>The HNSW graph's settings.</summary>
    public HnswOptions Hnsw { get; init; } = new();

    /// <summary>The kind used for <paramref name="labels"/> labels (resolves <see cref="LabelIndexKind.Auto"/>).</summary>
    public LabelIndexKind KindFor(int labels) =>
        Kind != LabelIndexKind.Auto ? Kind : labels >= HnswFromLabels ? LabelIndexKind.Hnsw : LabelIndexKind.Exact;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"label index kind {(int)Kind} is not one of {string.Join(", ", Enum.GetNames<LabelIndexKind>())}");
        if (HnswFromLabels < 1) throw new ArgumentException($"HnswFromLabels must be positive, got {HnswFromLabels}");
        ArgumentNullException.ThrowIfNull(Hnsw, nameof(Hnsw));
        Hnsw.Validate();
    }
}

/// <summary>Building a label index by its options, and storing it inside a model file.</summary>
public static class LabelIndexes
{
    /// <summary>Indexes the rows of <paramref name="labelVectors"/> (normalised by the index) with the kind <paramref name="options"/> picks for their count.</summary>
    public static ILabelIndex Build(IComputeBackend backend, RowMajorMatrix labelVectors, LabelIndexOptions options, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(labelVectors);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.KindFor(labelVectors.Rows) == LabelIndexKind.Hnsw
            ? HnswLabelIndex.Build(labelVectors, options.Hnsw, monitor)
            : new ExactLabelIndex(backend, labelVectors, ExactQueryChunk(labelVectors.Rows));
    }

    /// <summary>Queries per exact-search GEMM: at most 1024, and a score block of at most 2^26 floats (256 MB).</summary>
    internal static int ExactQueryChunk(int labels) => Math.Clamp((1 << 26) / Math.Max(1, labels), 1, 1024);

    /// <summary>
    /// Writes <paramref name="index"/> into a model payload: its kind, and for HNSW its options and USearch's
    /// serialised graph (the exact index is rebuilt from the label vectors the model stores anyway).
    /// </summary>
    public static void Write(BinaryWriter w, ILabelIndex index)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(index);
        w.Write((byte)index.Kind);
        if (index is not HnswLabelIndex hnsw) return;
        w.Write(JsonSerializer.Serialize(hnsw.Options));
        var bytes = hnsw.Serialize();
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote for the index of <paramref name="labelVectors"/>, checking that a stored
    /// graph indexes as many vectors of the same dimension; <paramref name="path"/> names the file in errors.
    /// </summary>
    public static ILabelIndex Read(BinaryReader r, IComputeBackend backend, RowMajorMatrix labelVectors, string path)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(labelVectors);
        var kind = (LabelIndexKind)r.ReadByte();
        switch (kind)
        {
            case LabelIndexKind.Exact:
                return new ExactLabelIndex(backend, labelVectors, ExactQueryChunk(labelVectors.Rows));
            case LabelIndexKind.Hnsw:
                var options = JsonSerializer.Deserialize<HnswOptions>(r.ReadString()) ?? throw new DataFormatException(path, 0, "HNSW index options are missing");
                int length = r.ReadLength(1);
                var bytes = r.ReadBytes(length);
                if (bytes.Length != length) throw new DataFormatException(path, 0, $"damaged model file: the HNSW index ends after {bytes.Length:N0} of its {length:N0} bytes");
                HnswLabelIndex index;
                try
                {
                    index = HnswLabelIndex.Deserialize(bytes, options);
                }
                catch (InvalidOperationException e)
                {
                    throw new DataFormatException(path, 0, $"damaged HNSW label index: {e.Message}", e);
                }
                if (index.Dimension != labelVectors.Cols || index.Count != labelVectors.Rows)
                {
                    index.Dispose();
                    throw new DataFormatException(path, 0,
                        $"the HNSW label index holds {index.Count:N0} vectors of dimension {index.Dimension}, the model {labelVectors.Rows:N0} labels of dimension {labelVectors.Cols}");
                }
                return index;
            default:
                throw new DataFormatException(path, 0, $"damaged model file: unknown label index kind {(int)kind}");
        }
    }
}
