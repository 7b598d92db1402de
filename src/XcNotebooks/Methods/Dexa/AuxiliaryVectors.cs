using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dexa;

/// <summary>
/// DEXA's auxiliary parameters: a table A of free vectors and a map c from labels to rows of A; a label's
/// representation is its text embedding plus A[c(l)]. The most frequent labels (head) each get a vector of their
/// own; the others share one vector per cluster of a balanced 2-means clustering of their text embeddings, so
/// similar tail labels gain capacity together. A is Xavier-initialised (small next to unit embeddings) and trained
/// jointly with the encoder in M1; gradient reaches a vector only through the labels mapped to it.
/// </summary>
public sealed class AuxiliaryVectors : IDisposable
{
    /// <summary>The name of the table parameter (excluded from weight decay).</summary>
    public const string ParameterName = "aux.vectors";

    private AuxiliaryVectors(Parameter table, int[] labelToVector, int headVectors)
    {
        Table = table;
        LabelToVector = labelToVector;
        HeadVectors = headVectors;
    }

    /// <summary>The vectors, one per row (row-sparse parameter).</summary>
    public Parameter Table { get; }

    /// <summary>c: the row of <see cref="Table"/> of each label.</summary>
    public IReadOnlyList<int> LabelToVector { get; }

    /// <summary>Rows 0..HeadVectors-1 belong to one head label each; the rest are cluster vectors.</summary>
    public int HeadVectors { get; }

    /// <summary>Number of vectors.</summary>
    public int Count => Table.Rows;

    /// <summary>
    /// The table and map: the <paramref name="headVectors"/> most frequent labels (by <paramref name="labelCounts"/>,
    /// ties by label id) get vectors 0..H-1 in increasing frequency order; the other labels are clustered on their rows
    /// of <paramref name="labelEmbeddings"/> into <paramref name="clusterVectors"/> balanced clusters (a power of two).
    /// </summary>
    public static AuxiliaryVectors Create(IComputeBackend backend, RowMajorMatrix labelEmbeddings, IReadOnlyList<int> labelCounts,
        int headVectors, int clusterVectors, int seed)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(labelEmbeddings);
        ArgumentNullException.ThrowIfNull(labelCounts);
        int labels = labelEmbeddings.Rows;
        if (labelCounts.Count != labels) throw new ArgumentException($"{labelCounts.Count} label counts for {labels} label embeddings");
        if (headVectors < 0 || headVectors > labels) throw new ArgumentException($"head vectors must be in 0..{labels}, got {headVectors}");
        if (clusterVectors < 1 || (clusterVectors & (clusterVectors - 1)) != 0)
            throw new ArgumentException($"cluster vectors must be a power of two, got {clusterVectors}");
        var order = Enumerable.Range(0, labels).OrderBy(l => labelCounts[l]).ThenBy(l => l).ToArray();
        var map = new int[labels];
        var head = order[(labels - headVectors)..];
        for (int m = 0; m < head.Length; m++) map[head[m]] = m;
        var tail = order[..(labels - headVectors)];
        int used = headVectors;
        if (tail.Length > 0)
        {
            var clusters = BalancedClustering.Cluster(labelEmbeddings, clusterVectors, seed, tail);
            for (int q = 0; q < clusters.Count; q++)
                foreach (int l in clusters[q]) map[l] = headVectors + q;
            used += clusterVectors;
        }
        int rows = Math.Max(1, used);
        var table = new Parameter(backend, ParameterName, rows, labelEmbeddings.Cols, rowSparse: true);
        table.SetValues(Initializers.Weights(WeightInit.XavierUniform, rows, labelEmbeddings.Cols, rows * labelEmbeddings.Cols, SeedStreams.AuxiliaryVectors.Table.Of(seed)));
        return new AuxiliaryVectors(table, map, headVectors);
    }

    /// <summary>Restores saved vectors and map.</summary>
    public static AuxiliaryVectors FromValues(IComputeBackend backend, RowMajorMatrix vectors, int[] labelToVector, int headVectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(labelToVector);
        foreach (int v in labelToVector)
            if ((uint)v >= (uint)vectors.Rows) throw new ArgumentException($"label mapped to vector {v} outside 0..{vectors.Rows - 1}");
        var table = new Parameter(backend, ParameterName, vectors.Rows, vectors.Cols, rowSparse: true);
        table.SetValues(vectors.Data);
        return new AuxiliaryVectors(table, [.. labelToVector], headVectors);
    }

    /// <summary>The vector rows of <paramref name="labels"/> (for <see cref="Add"/> and <see cref="Backward"/>).</summary>
    internal ParameterRows RowsOf(IReadOnlyList<int> labels) =>
        new(Table.Backend, labels.Select(l => LabelToVector[l]).ToArray());

    /// <summary>embeddings[r] += A[c(labels[r])] in place.</summary>
    internal void Add(ParameterRows rows, Tensor embeddings)
    {
        using var vectors = Table.Backend.Allocate(rows.Count, Table.Cols);
        rows.Gather(Table, vectors);
        Table.Backend.Axpby(1f, vectors, 1f, embeddings);
    }

    /// <summary>Accumulates ∂loss/∂(label representation) into the vectors of those labels.</summary>
    internal void Backward(ParameterRows rows, Tensor gradient) => rows.ScatterGradient(Table, gradient);

    /// <summary>Host copy of the table, with the map: label representations for an index are text embedding + this row.</summary>
    public RowMajorMatrix Values() => new(Table.Rows, Table.Cols, Table.GetValues());

    /// <summary>Adds each label's vector to its row of <paramref name="labelEmbeddings"/> (host, in place).</summary>
    public void AddTo(RowMajorMatrix labelEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(labelEmbeddings);
        if (labelEmbeddings.Rows != LabelToVector.Count || labelEmbeddings.Cols != Table.Cols)
            throw new ArgumentException($"expected {LabelToVector.Count} x {Table.Cols} label embeddings, got {labelEmbeddings.Rows} x {labelEmbeddings.Cols}");
        var values = Values();
        for (int l = 0; l < labelEmbeddings.Rows; l++)
            System.Numerics.Tensors.TensorPrimitives.Add(labelEmbeddings.Row(l), values.Row(LabelToVector[l]), labelEmbeddings.Row(l));
    }

    /// <summary>Frees the table.</summary>
    public void Dispose() => Table.Dispose();

    /// <summary>Counts.</summary>
    public override string ToString() => $"AuxiliaryVectors: {Count:N0} vectors ({HeadVectors:N0} head) for {LabelToVector.Count:N0} labels";
}
