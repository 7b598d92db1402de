using XcNotebooks.Compute;
using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Baselines;

/// <summary>How the neighbours' labels are combined.</summary>
public enum NeighbourWeighting
{
    /// <summary>A label's score is the sum of the cosine similarities of the neighbours carrying it.</summary>
    Similarity,
    /// <summary>A label's score is the number of neighbours carrying it.</summary>
    Uniform,
}

/// <summary>Settings of the k-nearest-neighbour baseline.</summary>
public sealed record KNearestNeighboursOptions
{
    /// <summary>Neighbours per point (the usual XC reference is 10).</summary>
    public int Neighbours { get; init; } = 10;

    /// <summary>How neighbours vote.</summary>
    public NeighbourWeighting Weighting { get; init; } = NeighbourWeighting.Similarity;

    /// <summary>Checks the values.</summary>
    public KNearestNeighboursOptions Validate()
    {
        if (Neighbours < 1) throw new ArgumentException($"neighbours must be at least 1, got {Neighbours}");
        if (!Enum.IsDefined(Weighting)) throw new ArgumentException($"unknown neighbour weighting {Weighting}");
        return this;
    }
}

/// <summary>
/// Exact k-nearest-neighbour classification by cosine similarity of sparse features: each point's k most similar
/// training points (ties: lower training index first) vote for their labels, weighted by similarity (or one vote
/// each). Similarities to all training points come from an inverted index (feature → training points), so a query
/// costs the sum of its features' posting lengths; queries run in parallel, each with its own buffers.
/// </summary>
public sealed class KNearestNeighbours : IXcModel
{
    /// <summary>Format version of saved models.</summary>
    public const int FormatVersion = 1;

    /// <summary>Model-file, CLI and report name.</summary>
    public const string MethodName = "knn";

    private readonly CsrMatrix _pointsOfFeature;

    /// <summary>A model over training features (scaled to unit length here) and labels.</summary>
    public KNearestNeighbours(CsrMatrix trainFeatures, LabelMatrix trainLabels, KNearestNeighboursOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trainFeatures);
        ArgumentNullException.ThrowIfNull(trainLabels);
        if (trainFeatures.Rows != trainLabels.Rows)
            throw new ArgumentException($"{trainFeatures.Rows} feature rows but {trainLabels.Rows} label rows");
        Options = (options ?? new KNearestNeighboursOptions()).Validate();
        TrainFeatures = trainFeatures.NormalizeRows();
        TrainLabels = trainLabels;
        _pointsOfFeature = TrainFeatures.Transpose();
    }

    /// <inheritdoc/>
    public string Method => MethodName;

    /// <summary>The settings.</summary>
    public KNearestNeighboursOptions Options { get; }

    /// <summary>The training features, rows of unit length.</summary>
    public CsrMatrix TrainFeatures { get; }

    /// <summary>The training labels.</summary>
    public LabelMatrix TrainLabels { get; }

    /// <summary>Number of labels.</summary>
    public int NumLabels => TrainLabels.NumLabels;

    /// <summary>Bytes held (features and labels, CSR).</summary>
    public long ModelBytes => 12 * (TrainFeatures.NonZeros + TrainLabels.Matrix.NonZeros) + 16L * (TrainFeatures.Rows + 1);

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>Holds managed arrays only: nothing to release.</summary>
    void IDisposable.Dispose() { }

    /// <summary>
    /// The common training shape: keeps the training set (nothing else to learn, so <paramref name="heldout"/> and
    /// <paramref name="monitor"/> have nothing to do).
    /// </summary>
    public static KNearestNeighbours Train(Dataset train, Dataset? heldout, KNearestNeighboursOptions options, TrainingMonitor? monitor = null) =>
        Train(train, options.Validate());

    /// <summary>Keeps the training set of <paramref name="train"/> (there is nothing else to learn).</summary>
    public static KNearestNeighbours Train(Dataset train, KNearestNeighboursOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        return new KNearestNeighbours(train.Features, train.Labels, options);
    }

    /// <summary>
    /// The nearest training points of every row of <paramref name="features"/>, as (training index, cosine similarity)
    /// lists best first: the Labels of the result are training point indices here, padded with -1 where fewer
    /// training points share a feature with the query.
    /// </summary>
    public TopKPredictions Neighbours(CsrMatrix features)
    {
        features = ModelInputs.InFeatureSpace(features, TrainFeatures.Cols);
        int k = Options.Neighbours;
        var result = TopKPredictions.Empty(features.Rows, k);
        Parallel.For(0, features.Rows, () => new Scratch(TrainFeatures.Rows, NumLabels, Options.Neighbours), (i, _, scratch) =>
        {
            FindNeighbours(features, i, scratch, result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k));
            return scratch;
        }, _ => { });
        return result;
    }

    /// <summary>The k best labels of each row of <paramref name="features"/> by the neighbours' votes.</summary>
    public TopKPredictions TopK(CsrMatrix features, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        features = ModelInputs.InFeatureSpace(features, TrainFeatures.Cols);
        int neighbours = Options.Neighbours;
        var result = TopKPredictions.Empty(features.Rows, k);
        Parallel.For(0, features.Rows, () => new Scratch(TrainFeatures.Rows, NumLabels, Options.Neighbours), (i, _, scratch) =>
        {
            var ids = scratch.NeighbourIds.AsSpan();
            var similarities = scratch.NeighbourSimilarities.AsSpan();
            FindNeighbours(features, i, scratch, ids, similarities);
            scratch.Voted.Clear();
            for (int n = 0; n < neighbours && ids[n] >= 0; n++)
            {
                float vote = Options.Weighting == NeighbourWeighting.Similarity ? similarities[n] : 1f;
                foreach (int label in TrainLabels.LabelsOf(ids[n]))
                {
                    if (!scratch.LabelSeen[label])
                    {
                        scratch.LabelSeen[label] = true;
                        scratch.Voted.Add(label);
                    }
                    scratch.LabelScores[label] += vote;
                }
            }
            // Increasing label order, so equal scores rank the lower label first.
            scratch.Voted.Sort();
            var labels = result.Labels.AsSpan(i * k, k);
            var best = result.Scores.AsSpan(i * k, k);
            foreach (int label in scratch.Voted)
            {
                TopKSelector.Offer(label, scratch.LabelScores[label], labels, best);
                scratch.LabelScores[label] = 0f;
                scratch.LabelSeen[label] = false;
            }
            return scratch;
        }, _ => { });
        return result;
    }

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k) => TopK(data.Features, k);

    /// <inheritdoc/>
    public void Save(string path) =>
        ModelFile.Save(path, MethodName, FormatVersion, w =>
        {
            w.Write(JsonSerializer.Serialize(Options, RunReport.JsonOptions));
            w.WriteMatrix(TrainFeatures);
            w.WriteMatrix(TrainLabels.Matrix);
        });

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <remarks>The model predicts on the CPU: <paramref name="backend"/> is accepted for the common shape and not used.</remarks>
    public static KNearestNeighbours Load(string path, BackendKind? backend = null) =>
        ModelFile.Load(path, MethodName, FormatVersion, r =>
        {
            var options = JsonSerializer.Deserialize<KNearestNeighboursOptions>(r.ReadString(), RunReport.JsonOptions)
                ?? throw new DataFormatException(path, 0, "missing options");
            var features = r.ReadCsrMatrix();
            var labels = r.ReadCsrMatrix();
            if (features.Rows != labels.Rows)
                throw new DataFormatException(path, 0, $"{features.Rows} feature rows but {labels.Rows} label rows");
            return new KNearestNeighbours(features, new LabelMatrix(labels), options);
        });

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"KNearestNeighbours k = {Options.Neighbours} ({Options.Weighting}) over {TrainFeatures.Rows:N0} points, {NumLabels:N0} labels";

    /// <summary>Cosine similarity of row <paramref name="row"/> to every training point sharing a feature; the best k kept.</summary>
    private void FindNeighbours(CsrMatrix features, int row, Scratch scratch, Span<int> ids, Span<float> similarities)
    {
        var idx = features.RowIndices(row);
        var val = features.RowValues(row);
        double squared = 0;
        foreach (var v in val) squared += (double)v * v;
        float scale = squared > 0 ? (float)(1 / Math.Sqrt(squared)) : 0f;
        var sums = scratch.Similarities;
        var touched = scratch.Touched;
        touched.Clear();
        for (int j = 0; j < idx.Length; j++)
        {
            float v = val[j] * scale;
            var points = _pointsOfFeature.RowIndices(idx[j]);
            var weights = _pointsOfFeature.RowValues(idx[j]);
            for (int p = 0; p < points.Length; p++)
            {
                if (!scratch.PointSeen[points[p]])
                {
                    scratch.PointSeen[points[p]] = true;
                    touched.Add(points[p]);
                }
                sums[points[p]] += v * weights[p];
            }
        }
        // Increasing training index, so equal similarities keep the lower index first.
        touched.Sort();
        ids.Fill(-1);
        similarities.Fill(float.NegativeInfinity);
        foreach (int p in touched)
        {
            TopKSelector.Offer(p, sums[p], ids, similarities);
            sums[p] = 0f;
            scratch.PointSeen[p] = false;
        }
    }

    /// <summary>One thread's buffers: dense accumulators, cleared through the lists of what was touched.</summary>
    private sealed class Scratch(int points, int labels, int neighbours)
    {
        public float[] Similarities { get; } = new float[points];
        public bool[] PointSeen { get; } = new bool[points];
        public List<int> Touched { get; } = [];
        public float[] LabelScores { get; } = new float[labels];
        public bool[] LabelSeen { get; } = new bool[labels];
        public List<int> Voted { get; } = [];
        public int[] NeighbourIds { get; } = new int[neighbours];
        public float[] NeighbourSimilarities { get; } = new float[neighbours];
    }
}
