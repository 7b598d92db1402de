using XcNotebooks.Compute;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using XcNotebooks.Metrics;
using XcNotebooks.Core;

namespace XcNotebooks.Learners;

/// <summary>Settings of the one-vs-rest linear model.</summary>
public sealed record OneVsRestOptions
{
    /// <summary>
    /// The binary learner of each label and its settings: by default the L2-loss SVM by dual coordinate descent
    /// (LIBLINEAR -s 1, C = 1), which beats AROW on bibtex by 6 P@1 points with unit-norm rows.
    /// </summary>
    public BinaryLearnerOptions Learner { get; init; } = new() { Kind = BinaryLearnerKind.SvmL2LossDual };

    /// <summary>
    /// Scale each point's features to unit L2 norm, in training and prediction (the usual preprocessing for
    /// LIBLINEAR on bag-of-words data; bibtex P@1 63.7 instead of 56.2 with the SVM).
    /// </summary>
    public bool NormalizeRows { get; init; } = true;

    /// <summary>Passes over the shuffled training data (online learners only).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>
    /// Value of a constant extra feature that gives each label a bias weight (LIBLINEAR's -B); 0 for no bias.
    /// Default 1: sector 95.5% instead of 95.2% (LIBLINEAR alike).
    /// </summary>
    public float Bias { get; init; } = 1;

    /// <summary>
    /// From this many labels up, an L2-/L1-loss SVM learner with a bias runs on active sets
    /// (<see cref="BinaryLearnerOptions.ActiveSet"/>); 0: only when the learner asks for it. Default 1,000: on all
    /// 16,897 WordNet classes 9x less CPU than the full dual (P@1 38.60 vs 38.65), on its 3,000-class sample 2.6x
    /// (58.71 vs 58.84); with few labels, each with many positives (sector 105, bibtex 159), the full dual is faster.
    /// </summary>
    public int ActiveSetFromLabels { get; init; } = 1000;

    /// <summary>Seed of the per-epoch shuffles.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// These options as a problem with <paramref name="numLabels"/> labels trains them: the learner switched to active
    /// sets when <see cref="ActiveSetFromLabels"/> says so (the trained model keeps the resolved options).
    /// </summary>
    public OneVsRestOptions ForLabels(int numLabels) =>
        ActiveSetFromLabels > 0 && numLabels >= ActiveSetFromLabels && Bias > 0 && !Learner.ActiveSet
        && Learner.Kind is BinaryLearnerKind.SvmL2LossDual or BinaryLearnerKind.SvmL1LossDual
            ? this with { Learner = Learner with { ActiveSet = true } }
            : this;

    /// <summary>A short description for tables: the learner, and its epochs when it is an online one.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Description => Learner.IsOnline ? $"{Learner.DisplayName}, {Epochs} epochs" : Learner.DisplayName;

    /// <summary>Checks the values.</summary>
    public OneVsRestOptions Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {Epochs}");
        if (ActiveSetFromLabels < 0) throw new ArgumentException($"active set from labels must be 0 (off) or positive, got {ActiveSetFromLabels}");
        if (!float.IsFinite(Bias) || Bias < 0) throw new ArgumentException($"bias must be a finite non-negative value, got {Bias}");
        (Learner ?? throw new ArgumentException("Learner options are missing")).Validate();
        return this;
    }
}

/// <summary>
/// One-vs-rest linear model for multi-class and multi-label data: one online binary learner per label (positive on
/// the points carrying the label), trained in parallel over labels on sparse features; scores are x^T W (+ bias),
/// the k best labels are the k highest scores. The linear baseline of the kit (the one-vs-rest limit of W-LTLS).
/// </summary>
public sealed class OneVsRestLinear : IXcModel, IReportDetails
{
    /// <summary>Format version of saved models.</summary>
    public const int FormatVersion = 2; // 2: options carry NormalizeRows and the learner kinds of dual coordinate descent

    /// <summary>Model-file and report name.</summary>
    public const string MethodName = "ovr";

    /// <summary>
    /// Wraps trained weights: <paramref name="weights"/> is D x L; <paramref name="biasWeights"/> (L values) is used when
    /// bias &gt; 0. Without options the model is the plain x^T W (+ the bias weights when given).
    /// </summary>
    public OneVsRestLinear(RowMajorMatrix weights, IReadOnlyList<float>? biasWeights = null, OneVsRestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Options = options ?? new OneVsRestOptions { Bias = biasWeights is null ? 0 : 1, NormalizeRows = false };
        if (Options.Bias > 0 && (biasWeights is null || biasWeights.Count != weights.Cols))
            throw new ArgumentException($"bias {Options.Bias} needs {weights.Cols} bias weights, got {biasWeights?.Count ?? 0}");
        Weights = weights;
        _bias = Options.Bias > 0 ? biasWeights!.ToArray() : new float[weights.Cols];
    }

    private readonly float[] _bias;

    /// <inheritdoc/>
    public string Method => MethodName;

    /// <summary>The D x L weight matrix (column l: label l's learner).</summary>
    public RowMajorMatrix Weights { get; }

    /// <summary>Bias weight of each label (zeros without a bias feature).</summary>
    public IReadOnlyList<float> BiasWeights => _bias;

    /// <summary>The options the model was trained with.</summary>
    public OneVsRestOptions Options { get; }

    /// <summary>Number of labels L.</summary>
    public int NumLabels => Weights.Cols;

    /// <summary>Feature dimension D.</summary>
    public int NumFeatures => Weights.Rows;

    /// <summary>
    /// Bytes of the weights: float32 dense, or, after DiSMEC pruning, the sparse form (index and value per non-zero).
    /// </summary>
    public long ModelBytes => ModelBytesOf(NumFeatures, NumLabels, Options, () => LinearLearners.NonZeros(Weights));

    /// <summary>
    /// <see cref="ModelBytes"/> of a D x L model with these options, given its count of non-zero weights (bias
    /// weights excluded; asked for only after DiSMEC pruning), so that a model spread over ranks reports the same.
    /// </summary>
    internal static long ModelBytesOf(int features, int labels, OneVsRestOptions options, Func<long> nonZeroWeights) =>
        4L * labels * (options.Bias > 0 ? 1 : 0)
        + (options.Learner.PruneBelow > 0 ? LinearLearners.StoredBytes(nonZeroWeights(), (long)features * labels) : 4L * labels * features);

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>Holds managed arrays only: nothing to release.</summary>
    void IDisposable.Dispose() { }

    /// <summary>"nonZeroWeights" (what DiSMEC's pruning leaves).</summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor) =>
        new() { Details = new Dictionary<string, object?> { ["nonZeroWeights"] = NonZeroWeights } };

    /// <summary>Non-zero weights (bias weights excluded).</summary>
    public long NonZeroWeights => LinearLearners.NonZeros(Weights);

    /// <summary>The common training shape; <paramref name="heldout"/> is not used (one-vs-rest has no validation step).</summary>
    public static OneVsRestLinear Train(Dataset train, Dataset? heldout, OneVsRestOptions options, TrainingMonitor? monitor = null) =>
        Train(train, options, monitor);

    /// <summary>Trains one binary learner per label of <paramref name="train"/>, in parallel over labels.</summary>
    public static OneVsRestLinear Train(Dataset train, OneVsRestOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new OneVsRestOptions()).Validate().ForLabels(train.NumLabels);
        monitor ??= TrainingMonitor.Silent;
        var features = TrainingFeatures(train, options);
        if (options.Bias <= 0) // the weights are trained in place (D x L): nothing to split off
            return new OneVsRestLinear(LinearLearners.TrainWeights(options.Learner, features, train.NumLabels,
                PositivesOf(train.Labels), options.Epochs, options.Seed, monitor, "One-vs-rest"), null, options);
        // The bias weights go to their own array as they are trained: no (D + 1) x L matrix and no D x L copy of it.
        var (weights, bias) = LinearLearners.TrainWeightsWithLastRow(options.Learner, features, train.NumLabels,
            PositivesOf(train.Labels), options.Epochs, options.Seed, monitor, "One-vs-rest", options.Learner.IsOnline ? null : PointsOf(train.Labels));
        return new OneVsRestLinear(weights, bias, options);
    }

    /// <summary>
    /// The points as the learners see them: unit rows when <see cref="OneVsRestOptions.NormalizeRows"/>, then the
    /// constant bias column when <see cref="OneVsRestOptions.Bias"/> &gt; 0 (so the bias weights are the last row).
    /// </summary>
    internal static CsrMatrix TrainingFeatures(Dataset train, OneVsRestOptions options)
    {
        var features = options.NormalizeRows ? train.Features.NormalizeRows() : train.Features;
        return options.Bias > 0 ? WithBiasFeature(features, options.Bias) : features;
    }

    /// <summary>The ±1 targets of learner l: +1 on the points carrying label l.</summary>
    internal static PointLabels PositivesOf(LabelMatrix truth) => (i, first, targets) =>
    {
        targets.Fill(-1);
        foreach (int l in truth.LabelsOf(i))
            if (l >= first && l < first + targets.Length) targets[l - first] = 1;
    };

    /// <summary>The points carrying each label (label l: the rows whose labels include l, ascending).</summary>
    internal static int[][] PointsOf(LabelMatrix truth)
    {
        var counts = new int[truth.NumLabels];
        for (int i = 0; i < truth.Rows; i++)
            foreach (int l in truth.LabelsOf(i)) counts[l]++;
        var points = new int[truth.NumLabels][];
        for (int l = 0; l < points.Length; l++) points[l] = new int[counts[l]];
        Array.Clear(counts);
        for (int i = 0; i < truth.Rows; i++)
            foreach (int l in truth.LabelsOf(i)) points[l][counts[l]++] = i;
        return points;
    }

    /// <summary>Writes the label scores of point <paramref name="row"/> into <paramref name="scores"/> (length L).</summary>
    internal void ScoreRow(CsrMatrix features, int row, Span<float> scores)
    {
        if (Weights.Rows != features.Cols) throw new ArgumentException($"weights have {Weights.Rows} rows, the features {features.Cols} columns");
        ScoreRow(features, row, Weights.Data, _bias, Options, scores);
    }

    /// <summary>
    /// Writes the scores of the labels whose weights are the columns of <paramref name="weights"/> (D rows of
    /// scores.Length values, row-major, at its start) and whose bias weights are <paramref name="bias"/> into
    /// <paramref name="scores"/>: the whole model's labels, or a label shard's, each label's score the same bits either way.
    /// </summary>
    internal static void ScoreRow(CsrMatrix features, int row, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, OneVsRestOptions options, Span<float> scores)
    {
        features.MultiplyRowInto(row, weights, scores.Length, scores);
        if (options.NormalizeRows)
        {
            // (x / |x|)^T W = (x^T W) / |x|: no normalised copy of the features is needed.
            float norm = TensorPrimitives.Norm(features.RowValues(row));
            if (norm > 0) TensorPrimitives.Divide(scores, norm, scores);
        }
        if (options.Bias > 0)
            for (int l = 0; l < scores.Length; l++) scores[l] += options.Bias * bias[l];
    }

    /// <summary>Writes the scores of the <c>scores.Length</c> labels of a model (or shard) for point <paramref name="row"/>.</summary>
    internal delegate void RowScorer(int row, Span<float> scores);

    /// <summary>
    /// The k best of <paramref name="labels"/> columns for each row of <paramref name="features"/>, scored by
    /// <paramref name="score"/> (no N x L matrix is formed: one score buffer per thread); ties keep the lower column.
    /// </summary>
    internal static TopKPredictions TopK(CsrMatrix features, int k, int labels, RowScorer score)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        var result = TopKPredictions.Empty(features.Rows, k);
        Parallel.For(0, features.Rows, () => new float[labels], (i, _, buffer) =>
        {
            score(i, buffer);
            TopKSelector.Select(buffer, result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k));
            return buffer;
        }, _ => { });
        return result;
    }

    /// <summary>All label scores (N x L), parallel over points.</summary>
    public RowMajorMatrix Scores(CsrMatrix features)
    {
        features = ModelInputs.InFeatureSpace(features, NumFeatures);
        var scores = new RowMajorMatrix(features.Rows, NumLabels);
        Parallel.For(0, features.Rows, i => ScoreRow(features, i, scores.Row(i)));
        return scores;
    }

    /// <summary>The k best labels of each point (no N x L matrix is formed: one score buffer per thread).</summary>
    public TopKPredictions TopK(CsrMatrix features, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        features = ModelInputs.InFeatureSpace(features, NumFeatures);
        return TopK(features, k, NumLabels, (i, scores) => ScoreRow(features, i, scores));
    }

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k) => TopK(data.Features, k);

    /// <summary>The best label of every point (the multi-class prediction).</summary>
    public int[] Predict(Dataset data) => TopK(data.Features, 1).Top1();

    /// <summary>Share (percent) of points whose best label is one of theirs (accuracy on multi-class data, P@1 otherwise).</summary>
    public double Accuracy(Dataset data) => XcMetrics.Evaluate(data.Labels, TopK(data.Features, 1), 1).P(1) * 100;

    /// <inheritdoc/>
    public void Save(string path) =>
        Save(path, NumFeatures, NumLabels, w => w.Write(MemoryMarshal.AsBytes(Weights.Data.AsSpan())), () => _bias, Options);

    /// <summary>
    /// Writes the model file of a D x L model whose weights <paramref name="writeWeights"/> writes, row after row of
    /// L float32 values (the layout of <see cref="ModelFile.WriteMatrix(BinaryWriter, RowMajorMatrix)"/>: the caller
    /// may stream them a block of rows at a time, as the label-sharded model does), then the bias weights (asked for
    /// after the weights) and the options: the one format <see cref="Load"/> reads.
    /// </summary>
    internal static void Save(string path, int features, int labels, Action<BinaryWriter> writeWeights, Func<float[]> biasWeights, OneVsRestOptions options) =>
        ModelFile.Save(path, MethodName, FormatVersion, w =>
        {
            w.Write(features);
            w.Write(labels);
            w.Write(StoredWeightCount(features, labels));
            writeWeights(w);
            w.WriteArray(biasWeights());
            w.Write(JsonSerializer.Serialize(options, RunReport.JsonOptions));
        });

    /// <summary>
    /// The number of weights of a D x L model file, which holds them as one float array: an error naming the shape
    /// when there are 2^31 or more.
    /// </summary>
    internal static int StoredWeightCount(int features, int labels) =>
        (long)features * labels <= int.MaxValue ? features * labels : throw new ArgumentException(
            $"a one-vs-rest model file holds its weights as one array of fewer than 2^31 values; {features:N0} features x {labels:N0} labels are {(long)features * labels:N0}");

    /// <summary>Reads a model written by <see cref="Save(string)"/>.</summary>
    /// <remarks>The model predicts on the CPU: <paramref name="backend"/> is accepted for the common shape and not used.</remarks>
    public static OneVsRestLinear Load(string path, BackendKind? backend = null) =>
        ModelFile.Load(path, MethodName, FormatVersion, r =>
        {
            var weights = r.ReadMatrix();
            var bias = r.ReadFloatArray();
            var options = JsonSerializer.Deserialize<OneVsRestOptions>(r.ReadString(), RunReport.JsonOptions)
                ?? throw new DataFormatException(path, 0, "missing options");
            if (bias.Length != weights.Cols)
                throw new DataFormatException(path, 0, $"{bias.Length} bias weights for {weights.Cols} labels");
            return new OneVsRestLinear(weights, bias, options);
        });

    /// <summary>A one-line description.</summary>
    public override string ToString() => $"OneVsRestLinear {NumLabels:N0} labels x {NumFeatures:N0} features ({Options.Learner.DisplayName})";

    /// <summary>The features with an extra last column holding <paramref name="bias"/> in every row (LIBLINEAR's -B).</summary>
    internal static CsrMatrix WithBiasFeature(CsrMatrix x, float bias)
    {
        var ptr = new long[x.Rows + 1];
        var idx = new int[x.NonZeros + x.Rows];
        var val = new float[idx.Length];
        for (int i = 0; i < x.Rows; i++)
        {
            int len = x.RowLength(i);
            long at = x.RowPointers[i] + i;
            x.RowIndices(i).CopyTo(idx.AsSpan((int)at, len));
            x.RowValues(i).CopyTo(val.AsSpan((int)at, len));
            idx[at + len] = x.Cols;
            val[at + len] = bias;
            ptr[i + 1] = at + len + 1;
        }
        return new CsrMatrix(x.Rows, x.Cols + 1, ptr, idx, val, validate: false);
    }
}
