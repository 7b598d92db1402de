using XcNotebooks.Compute;
using System.Text.Json;
using XcNotebooks.Learners;
using XcNotebooks.Core;
using XcNotebooks.Metrics;

namespace XcNotebooks.Methods.HierarchicalXc;

/// <summary>
/// Where the none/one/both traversal of each point went: the inner nodes it visited (node ids L + t, root first, in
/// visiting order), the labels it reached with their path scores, and how many classifiers it evaluated.
/// </summary>
public sealed record HierarchicalXcTraversal(
    IReadOnlyList<int[]> VisitedNodes,
    IReadOnlyList<int[]> ReachedLabels,
    IReadOnlyList<float[]> ReachedScores,
    IReadOnlyList<int> ClassifiersEvaluated)
{
    /// <summary>Mean number of classifiers evaluated per point.</summary>
    public double MeanClassifiersEvaluated => ClassifiersEvaluated.Count == 0 ? 0 : ClassifiersEvaluated.Average();

    /// <summary>Mean number of labels reached per point.</summary>
    public double MeanLabelsReached => ReachedLabels.Count == 0 ? 0 : ReachedLabels.Average(l => l.Length);
}

/// <summary>Top-k predictions with the number of node classifiers each point needed.</summary>
public sealed record HierarchicalXcPrediction(TopKPredictions TopK, IReadOnlyList<int> ClassifiersEvaluated)
{
    /// <summary>Mean number of classifiers evaluated per point.</summary>
    public double MeanClassifiersEvaluated => ClassifiersEvaluated.Count == 0 ? 0 : ClassifiersEvaluated.Average();
}

/// <summary>
/// A trained HierarchicalXC model: a full binary label tree (merge t of the agglomerative clustering is inner node
/// L + t with children <see cref="LeftChild"/>[t] and <see cref="RightChild"/>[t]; ids below L are labels; the root is
/// the last merge) and, per inner node, a binary multi-label classifier whose two outputs say whether to explore the
/// left and the right child. Each output is a linear score on the (optionally autoencoded) features turned into a
/// probability by Platt scaling; "yes" means probability above ½. A node without training points has no classifier
/// and sends every point both ways (probability 1), as the original.
/// <para>
/// Scores for ranking: a label's score is the product of the probabilities of the sides taken on its root-to-leaf
/// path (a soft version of "every classifier on the path said yes"), so labels deep under confident decisions rank
/// first and top-k is defined for every k.
/// </para>
/// </summary>
public sealed class HierarchicalXcModel : IXcModel, IReportDetails
{
    /// <summary>Format version of saved models.</summary>
    public const int FormatVersion = 2; // 2: sparse classifier weights

    private readonly int[] _left, _right;
    private readonly bool[] _hasClassifier;
    private readonly float[] _bias;
    private readonly PlattScaling[] _calibration;

    /// <summary>
    /// Wraps a trained tree. <paramref name="sideWeights"/> has 2(L − 1) rows (row 2t: node t's left output, 2t + 1: its
    /// right output) over the classifier input (the encoder's code, or the raw features without encoder);
    /// <paramref name="sideBias"/>, <paramref name="calibration"/> one value per row.
    /// </summary>
    public HierarchicalXcModel(int numLabels, IReadOnlyList<int> leftChild, IReadOnlyList<int> rightChild, IReadOnlyList<bool> hasClassifier,
        RowMajorMatrix sideWeights, IReadOnlyList<float> sideBias, IReadOnlyList<PlattScaling> calibration, AffineEncoder? encoder,
        HierarchicalXcOptions options, IReadOnlyList<double>? autoencoderLoss = null)
        : this(numLabels, leftChild, rightChild, hasClassifier, NonZeros(sideWeights ?? throw new ArgumentNullException(nameof(sideWeights))),
            sideBias, calibration, encoder, options, autoencoderLoss)
    {
    }

    /// <summary>
    /// Wraps a trained tree whose classifier weights are sparse: row 2t of <paramref name="sideWeights"/> is node t's
    /// left output, 2t + 1 its right output, holding only its non-zero weights (a node's linear classifier only ever
    /// touches the features of its own points). Predictions equal those of the same weights stored dense.
    /// </summary>
    public HierarchicalXcModel(int numLabels, IReadOnlyList<int> leftChild, IReadOnlyList<int> rightChild, IReadOnlyList<bool> hasClassifier,
        CsrMatrix sideWeights, IReadOnlyList<float> sideBias, IReadOnlyList<PlattScaling> calibration, AffineEncoder? encoder,
        HierarchicalXcOptions options, IReadOnlyList<double>? autoencoderLoss = null)
    {
        ArgumentNullException.ThrowIfNull(leftChild);
        ArgumentNullException.ThrowIfNull(rightChild);
        ArgumentNullException.ThrowIfNull(hasClassifier);
        ArgumentNullException.ThrowIfNull(sideWeights);
        ArgumentNullException.ThrowIfNull(sideBias);
        ArgumentNullException.ThrowIfNull(calibration);
        if (numLabels < 1) throw new ArgumentException($"need at least one label, got {numLabels}");
        int inner = numLabels - 1;
        if (leftChild.Count != inner || rightChild.Count != inner || hasClassifier.Count != inner)
            throw new ArgumentException($"{numLabels} labels need {inner} inner nodes, got {leftChild.Count} left, {rightChild.Count} right children and {hasClassifier.Count} classifier flags");
        if (sideWeights.Rows != 2 * inner || sideBias.Count != 2 * inner || calibration.Count != 2 * inner)
            throw new ArgumentException($"{inner} inner nodes need {2 * inner} classifier outputs, got {sideWeights.Rows} weight rows, {sideBias.Count} biases and {calibration.Count} calibrations");
        if (encoder is not null && encoder.CodeWidth != sideWeights.Cols)
            throw new ArgumentException($"the encoder gives codes of width {encoder.CodeWidth}, the classifiers read {sideWeights.Cols} inputs");
        NumLabels = numLabels;
        _left = leftChild.ToArray();
        _right = rightChild.ToArray();
        CheckTree();
        _hasClassifier = hasClassifier.ToArray();
        SideWeights = sideWeights;
        _bias = sideBias.ToArray();
        _calibration = calibration.ToArray();
        Encoder = encoder;
        Options = options ?? throw new ArgumentNullException(nameof(options));
        AutoencoderLoss = autoencoderLoss ?? [];
    }

    /// <inheritdoc/>
    public string Method => HierarchicalXc.MethodName;

    /// <summary>Number of labels L (the leaves).</summary>
    public int NumLabels { get; }

    /// <summary>Node id of the root: 2L − 2 (label 0 itself when L = 1).</summary>
    public int Root => 2 * NumLabels - 2;

    /// <summary>Left child of inner node L + t.</summary>
    public IReadOnlyList<int> LeftChild => _left;

    /// <summary>Right child of inner node L + t.</summary>
    public IReadOnlyList<int> RightChild => _right;

    /// <summary>Whether inner node L + t has a classifier (false: it had no training points and says yes to both).</summary>
    public IReadOnlyList<bool> HasClassifier => _hasClassifier;

    /// <summary>Classifier weights, sparse (only non-zeros): row 2t is node L + t's left output, row 2t + 1 its right output.</summary>
    public CsrMatrix SideWeights { get; }

    /// <summary>Bias of each classifier output.</summary>
    public IReadOnlyList<float> SideBias => _bias;

    /// <summary>Platt scaling of each classifier output.</summary>
    public IReadOnlyList<PlattScaling> Calibration => _calibration;

    /// <summary>The input autoencoder's encoder, or null when the classifiers read the raw features.</summary>
    public AffineEncoder? Encoder { get; }

    /// <summary>The options it was trained with.</summary>
    public HierarchicalXcOptions Options { get; }

    /// <summary>Reconstruction MSE of the input autoencoder per epoch (empty without autoencoder).</summary>
    public IReadOnlyList<double> AutoencoderLoss { get; }

    /// <summary>Width of the classifiers' input (code width, or number of features).</summary>
    public int ClassifierInputWidth => SideWeights.Cols;

    /// <summary>The non-zero entries of <paramref name="dense"/>, row by row.</summary>
    private static CsrMatrix NonZeros(RowMajorMatrix dense)
    {
        var builder = new CsrBuilder(dense.Cols);
        for (int r = 0; r < dense.Rows; r++)
        {
            var row = dense.Row(r);
            for (int c = 0; c < row.Length; c++)
                if (row[c] != 0) builder.Add(c, row[c]);
            builder.EndRow();
        }
        return builder.Build();
    }

    /// <summary>Number of inner nodes that have a classifier.</summary>
    public int ClassifierCount => _hasClassifier.Count(h => h);

    /// <summary>Bytes of the parameters (classifier weights, biases, calibrations, encoder).</summary>
    public long ModelBytes => 8L * SideWeights.NonZeros + 8L * (SideWeights.Rows + 1) + 20L * _bias.Length
        + (Encoder is null ? 0 : 4L * (Encoder.Weights.Data.Length + Encoder.CodeWidth));

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>Holds managed arrays only: nothing to release.</summary>
    void IDisposable.Dispose() { }

    /// <summary>
    /// The paper's cost figures on the test split: classifiers evaluated per point by the ranking and by the
    /// none/one/both traversal, the labels the traversal reaches, the traversal ranking's metrics, the autoencoder's loss.
    /// </summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor)
    {
        var prediction = Predict(data.Test, testPredictions.K);
        var traversal = Traverse(data.Test);
        var traversalRanking = Predict(data.Test, testPredictions.K, HierarchicalXcRanking.Traversal).TopK;
        monitor.Write(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Classifiers evaluated per test point: {prediction.MeanClassifiersEvaluated:F1} for the top {prediction.TopK.K} ({Options.Ranking}); the none/one/both traversal evaluates {traversal.MeanClassifiersEvaluated:F1} and reaches {traversal.MeanLabelsReached:F2} labels (of {ClassifierCount:N0} classifiers, {NumLabels:N0} labels)"));
        return new RunDetails
        {
            Details = new Dictionary<string, object?>
            {
                ["classifiers"] = ClassifierCount,
                ["classifiersEvaluatedPerPoint"] = prediction.MeanClassifiersEvaluated,
                ["traversalClassifiersEvaluatedPerPoint"] = traversal.MeanClassifiersEvaluated,
                ["traversalLabelsReachedPerPoint"] = traversal.MeanLabelsReached,
                ["traversalMetrics"] = RankingMetrics.Standard(data.Train, data.Test, traversalRanking, traversalRanking.K),
                ["autoencoderLoss"] = AutoencoderLoss,
            },
        };
    }

    /// <summary>The classifiers' input for <paramref name="features"/>: the codes, or the features themselves.</summary>
    public CsrMatrix ClassifierInput(CsrMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Encoder is null ? ModelInputs.InFeatureSpace(features, ClassifierInputWidth) : Encoder.EncodeAsCsr(features);
    }

    /// <summary>
    /// The probabilities that inner node <paramref name="node"/> (id ≥ L) sends row <paramref name="row"/> of the
    /// classifier input left and right (1 and 1 for a node without classifier).
    /// </summary>
    public (double Left, double Right) SideProbabilities(CsrMatrix input, int row, int node)
    {
        int t = node - NumLabels;
        if (t < 0 || t >= _left.Length) throw new ArgumentOutOfRangeException(nameof(node), $"node {node} is not an inner node ({NumLabels}..{Root})");
        if (!_hasClassifier[t]) return (1, 1);
        double Side(int s) => _calibration[2 * t + s].Probability(SparseDot(input, row, SideWeights, 2 * t + s) + _bias[2 * t + s]);
        return (Side(0), Side(1));
    }

    /// <summary>
    /// Row <paramref name="row"/> of <paramref name="x"/> times row <paramref name="weightRow"/> of <paramref name="w"/>,
    /// both sparse with increasing column ids: the sum runs over x's entries in order, as a dot with the dense row
    /// would (a weight absent from w is zero and adds nothing), so the result is the dense product's to the bit.
    /// </summary>
    private static float SparseDot(CsrMatrix x, int row, CsrMatrix w, int weightRow)
    {
        var xi = x.RowIndices(row);
        var xv = x.RowValues(row);
        var wi = w.RowIndices(weightRow);
        var wv = w.RowValues(weightRow);
        float sum = 0;
        for (int a = 0, b = 0; a < xi.Length && b < wi.Length; a++)
        {
            while (b < wi.Length && wi[b] < xi[a]) b++;
            if (b < wi.Length && wi[b] == xi[a]) sum += xv[a] * wv[b];
        }
        return sum;
    }

    /// <summary>
    /// The paper's inference: from the root, each visited node's classifier sends the point to none, one or both
    /// children (probability above ½); reaching a leaf predicts its label. Records visited nodes, reached labels with
    /// their path scores, and the classifiers evaluated.
    /// </summary>
    public HierarchicalXcTraversal Traverse(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var input = ClassifierInput(data.Features);
        int n = input.Rows;
        var visited = new int[n][];
        var reached = new int[n][];
        var scores = new float[n][];
        var evaluated = new int[n];
        Parallel.For(0, n, i =>
        {
            var nodes = new List<int>();
            var labels = new List<(int Label, float Score)>();
            evaluated[i] = Traverse(input, i, nodes, labels);
            visited[i] = [.. nodes];
            labels.Sort((a, b) => a.Label.CompareTo(b.Label));
            reached[i] = labels.Select(l => l.Label).ToArray();
            scores[i] = labels.Select(l => l.Score).ToArray();
        });
        return new HierarchicalXcTraversal(visited, reached, scores, evaluated);
    }

    /// <summary>
    /// The k best labels of each point by <paramref name="ranking"/> (default: <see cref="HierarchicalXcOptions.Ranking"/>),
    /// with the classifiers evaluated.
    /// </summary>
    public HierarchicalXcPrediction Predict(Dataset data, int k, HierarchicalXcRanking? ranking = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        var input = ClassifierInput(data.Features);
        var result = TopKPredictions.Empty(input.Rows, k);
        var evaluated = new int[input.Rows];
        if ((ranking ?? Options.Ranking) == HierarchicalXcRanking.Traversal)
        {
            Parallel.For(0, input.Rows, () => new List<(int Label, float Score)>(), (i, _, labels) =>
            {
                labels.Clear();
                evaluated[i] = Traverse(input, i, null, labels);
                labels.Sort((a, b) => a.Label.CompareTo(b.Label));
                foreach (var (label, score) in labels)
                    TopKSelector.Offer(label, score, result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k));
                return labels;
            }, _ => { });
        }
        else
        {
            Parallel.For(0, input.Rows, () => new PriorityQueue<int, (double, int)>(FrontierOrder), (i, _, frontier) =>
            {
                evaluated[i] = BestFirst(input, i, frontier, result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k));
                return frontier;
            }, _ => { });
        }
        return new HierarchicalXcPrediction(result, evaluated);
    }

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k) => Predict(data, k).TopK;

    /// <inheritdoc/>
    public void Save(string path) =>
        ModelFile.Save(path, HierarchicalXc.MethodName, FormatVersion, w =>
        {
            w.Write(JsonSerializer.Serialize(Options, RunReport.JsonOptions));
            w.Write(NumLabels);
            w.WriteArray(_left);
            w.WriteArray(_right);
            w.WriteArray(_hasClassifier.Select(h => h ? 1 : 0).ToArray());
            w.WriteMatrix(SideWeights);
            w.WriteArray(_bias);
            foreach (var c in _calibration)
            {
                w.Write(c.A);
                w.Write(c.B);
            }
            w.Write(Encoder is not null);
            if (Encoder is not null)
            {
                w.WriteMatrix(Encoder.Weights);
                w.WriteArray(Encoder.Bias.ToArray());
            }
            w.Write(AutoencoderLoss.Count);
            foreach (var l in AutoencoderLoss) w.Write(l);
        });

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <remarks>The model predicts on the CPU: <paramref name="backend"/> is accepted for the common shape and not used.</remarks>
    public static HierarchicalXcModel Load(string path, BackendKind? backend = null) =>
        ModelFile.Load(path, HierarchicalXc.MethodName, FormatVersion, r =>
        {
            var options = JsonSerializer.Deserialize<HierarchicalXcOptions>(r.ReadString(), RunReport.JsonOptions)
                ?? throw new DataFormatException(path, 0, "missing options");
            int labels = r.ReadInt32();
            var left = r.ReadIntArray();
            var right = r.ReadIntArray();
            var has = r.ReadIntArray().Select(h => h != 0).ToArray();
            var weights = r.ReadCsrMatrix();
            var bias = r.ReadFloatArray();
            var calibration = new PlattScaling[weights.Rows];
            for (int s = 0; s < calibration.Length; s++) calibration[s] = new PlattScaling(r.ReadDouble(), r.ReadDouble());
            AffineEncoder? encoder = r.ReadBoolean() ? new AffineEncoder(r.ReadMatrix(), r.ReadFloatArray()) : null;
            var loss = new double[r.ReadInt32()];
            for (int e = 0; e < loss.Length; e++) loss[e] = r.ReadDouble();
            try
            {
                return new HierarchicalXcModel(labels, left, right, has, weights, bias, calibration, encoder, options, loss);
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(path, 0, e.Message);
            }
        });

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"HierarchicalXcModel {NumLabels:N0} labels, {ClassifierCount:N0} node classifiers on {ClassifierInputWidth:N0} inputs{(Encoder is null ? "" : " (autoencoded)")}";

    /// <summary>Higher score first, then lower node id: a deterministic frontier order.</summary>
    private static readonly IComparer<(double Score, int Node)> FrontierOrder =
        Comparer<(double Score, int Node)>.Create((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Node.CompareTo(b.Node));

    /// <summary>Depth-first none/one/both traversal of one point; returns the classifiers evaluated.</summary>
    private int Traverse(CsrMatrix input, int row, List<int>? visited, List<(int Label, float Score)> reached)
    {
        if (NumLabels == 1)
        {
            reached.Add((0, 1f));
            return 0;
        }
        int evaluated = 0;
        var stack = new Stack<(int Node, double Score)>();
        stack.Push((Root, 1.0));
        while (stack.Count > 0)
        {
            var (node, score) = stack.Pop();
            visited?.Add(node);
            int t = node - NumLabels;
            if (_hasClassifier[t]) evaluated++;
            var (pLeft, pRight) = SideProbabilities(input, row, node);
            // Right pushed first so the left subtree is visited first.
            Go(_right[t], pRight);
            Go(_left[t], pLeft);
            void Go(int child, double p)
            {
                if (!(p > 0.5)) return;
                if (child < NumLabels) reached.Add((child, (float)(score * p)));
                else stack.Push((child, score * p));
            }
        }
        return evaluated;
    }

    /// <summary>Best-first search for the k labels of highest path product; returns the classifiers evaluated.</summary>
    private int BestFirst(CsrMatrix input, int row, PriorityQueue<int, (double, int)> frontier, Span<int> labels, Span<float> scores)
    {
        frontier.Clear();
        frontier.Enqueue(Root, (1.0, Root));
        int evaluated = 0, found = 0;
        while (found < labels.Length && frontier.TryDequeue(out int node, out var priority))
        {
            double score = priority.Item1;
            if (node < NumLabels)
            {
                labels[found] = node;
                scores[found] = (float)score;
                found++;
                continue;
            }
            int t = node - NumLabels;
            if (_hasClassifier[t]) evaluated++;
            var (pLeft, pRight) = SideProbabilities(input, row, node);
            frontier.Enqueue(_left[t], (score * pLeft, _left[t]));
            frontier.Enqueue(_right[t], (score * pRight, _right[t]));
        }
        return evaluated;
    }

    /// <summary>Checks that the children form one full binary tree over the labels, rooted at the last merge.</summary>
    private void CheckTree()
    {
        var parentSeen = new bool[2 * NumLabels - 1];
        for (int t = 0; t < _left.Length; t++)
        {
            foreach (int child in new[] { _left[t], _right[t] })
            {
                if (child < 0 || child >= NumLabels + t)
                    throw new ArgumentException($"inner node {NumLabels + t}: child {child} must be a label or an earlier inner node (0..{NumLabels + t - 1})");
                if (parentSeen[child]) throw new ArgumentException($"node {child} has two parents");
                parentSeen[child] = true;
            }
        }
    }
}
