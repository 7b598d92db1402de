using XcNotebooks.Data;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dexa;

/// <summary>How DEXA combines the classifier shortlist with the label-embedding shortlist.</summary>
public enum FusionKind
{
    /// <summary>
    /// DEXA's score fusion: a depth-7 tree maps (classifier score, embedding score, inverse propensity) to a
    /// probability P of relevance; fused = β (P + S_knn) + S_clf over the union of both shortlists.
    /// </summary>
    DecisionTree,
    /// <summary>The fallback: fused = w S_clf + (1 − w) S_knn (w = <see cref="FusionOptions.ClassifierWeight"/>).</summary>
    WeightedSum,
}

/// <summary>Score fusion settings.</summary>
public sealed record FusionOptions
{
    /// <summary>Tree or weighted sum.</summary>
    public FusionKind Kind { get; init; } = FusionKind.DecisionTree;

    /// <summary>β of the tree fusion (DEXA's global beta: 1.0).</summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>Weight of the classifier score in the weighted sum (DEXA's predict default: 0.2).</summary>
    public double ClassifierWeight { get; init; } = 0.2;

    /// <summary>Depth of the fusion tree (7).</summary>
    public int MaxDepth { get; init; } = 7;

    /// <summary>Points sampled to fit the tree (DEXA: up to 75,000).</summary>
    public int MaxPoints { get; init; } = 75_000;

    /// <summary>
    /// Weight γ of the sparse score (the TF-IDF centroid cosine, <see cref="TfidfCentroids"/>) added to the fused
    /// score when the shortlists carry one. Null: the tree fusion picks it from <see cref="SparseWeightGrid"/> by
    /// P@1 on the points it is fitted on (the fitted fusion stores the choice); the weighted sum takes 0.
    /// </summary>
    public double? SparseWeight { get; init; }

    /// <summary>The values of γ the tree fusion tries when <see cref="SparseWeight"/> is null (ties: the smaller).</summary>
    public IReadOnlyList<double> SparseWeightGrid { get; init; } = [0, 0.25, 0.5, 1, 1.5, 2, 3, 4];
}

/// <summary>
/// Fuses the two shortlists of a DEXA prediction (classifier vectors W and label embeddings Z, each a top-k by
/// cosine) into one sparse score matrix. The tree is fitted on predictions for points with known labels: the
/// held-out split when there is one, else the training split (as the original code does).
/// <para>
/// With a sparse score S_sp of every shortlisted label (the TF-IDF centroid cosine), the tree takes it as a fourth
/// feature and fused = β (P + S_knn) + S_clf + γ S_sp, γ picked by P@1 on the fitting points
/// (<see cref="FusionOptions.SparseWeight"/>).
/// </para>
/// </summary>
public sealed class ScoreFusion
{
    private readonly FusionTree? _tree;
    private readonly double[] _inversePropensity;

    private ScoreFusion(FusionOptions options, FusionTree? tree, double[] inversePropensity)
    {
        Options = options;
        _tree = tree;
        _inversePropensity = inversePropensity;
    }

    /// <summary>The settings.</summary>
    public FusionOptions Options { get; }

    /// <summary>The fitted tree (null for the weighted sum).</summary>
    public FusionTree? Tree => _tree;

    /// <summary>The weighted-sum fusion (nothing to fit).</summary>
    public static ScoreFusion WeightedSum(FusionOptions options, IReadOnlyList<double> inversePropensity) =>
        new(options with { Kind = FusionKind.WeightedSum }, null, [.. inversePropensity]);

    /// <summary>
    /// Fits the fusion on shortlists of points whose labels are <paramref name="truth"/>: every (point, label) of the
    /// classifier shortlist of up to <see cref="FusionOptions.MaxPoints"/> sampled points is one tree sample, positive
    /// when the label is relevant. Pairs in <paramref name="filter"/> are dropped first. With <paramref name="sparse"/>
    /// (points x labels: the sparse score of the shortlisted labels) the tree takes it as a fourth feature and γ is
    /// picked by P@1 on all the fitting points (filtered), unless the options fix it.
    /// </summary>
    public static ScoreFusion Fit(TopKPredictions classifier, TopKPredictions knn, LabelMatrix truth, IReadOnlyList<double> inversePropensity,
        FusionOptions options, int seed, LabelFilter? filter = null, CsrMatrix? sparse = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(knn);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kind == FusionKind.WeightedSum) return WeightedSum(options, inversePropensity);
        if (classifier.Rows != truth.Rows || knn.Rows != truth.Rows || (sparse is not null && sparse.Rows != truth.Rows))
            throw new ArgumentException($"shortlists of {classifier.Rows} and {knn.Rows} points (sparse scores of {sparse?.Rows}) for {truth.Rows} labelled points");
        var rows = Seeds.Permutation(truth.Rows, seed).Take(options.MaxPoints).Order().ToArray();
        int featureCount = sparse is null ? 3 : 4;
        var features = new List<float>();
        var targets = new List<bool>();
        var ips = inversePropensity.ToArray();
        foreach (int i in rows)
        {
            var knnScores = RowScores(knn, i);
            var labels = classifier.LabelsOf(i);
            var scores = classifier.ScoresOf(i);
            for (int r = 0; r < labels.Length; r++)
            {
                int l = labels[r];
                if (l < 0 || (filter?.Contains(i, l) ?? false)) continue;
                features.AddRange([scores[r], knnScores.GetValueOrDefault(l), (float)ips[l]]);
                if (sparse is not null) features.Add(sparse[i, l]);
                targets.Add(truth.Has(i, l));
            }
        }
        if (targets.Count == 0) throw new ArgumentException("no shortlist entries to fit the fusion tree on");
        var tree = FusionTree.Fit(new RowMajorMatrix(targets.Count, featureCount, [.. features]), targets, options.MaxDepth);
        var fitted = new ScoreFusion(options, tree, ips);
        if (sparse is null || options.SparseWeight is not null) return fitted;
        double best = 0;
        long bestHits = -1;
        foreach (double gamma in options.SparseWeightGrid.Order())
        {
            var trial = new ScoreFusion(options with { SparseWeight = gamma }, tree, ips);
            long hits = 0;
            Parallel.For(0, truth.Rows, () => 0L, (i, _, count) =>
            {
                int top = -1;
                float topScore = float.NegativeInfinity;
                foreach (var (l, s) in trial.FuseRow(classifier, knn, sparse, i))
                    if (s > topScore && !(filter?.Contains(i, l) ?? false)) (top, topScore) = (l, s);
                return top >= 0 && truth.Has(i, top) ? count + 1 : count;
            }, count => Interlocked.Add(ref hits, count));
            if (hits > bestHits) (best, bestHits) = (gamma, hits);
        }
        return new ScoreFusion(options with { SparseWeight = best }, tree, ips);
    }

    /// <summary>
    /// The fused scores of each point over the union of its two shortlists (labels with no score in either are
    /// absent). A fusion fitted with sparse scores needs <paramref name="sparse"/> (the same points x labels scores).
    /// </summary>
    public CsrMatrix Fuse(TopKPredictions classifier, TopKPredictions knn, int numLabels, CsrMatrix? sparse = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(knn);
        if (classifier.Rows != knn.Rows || (sparse is not null && sparse.Rows != knn.Rows))
            throw new ArgumentException($"shortlists of {classifier.Rows} and {knn.Rows} points (sparse scores of {sparse?.Rows})");
        if (_tree is { FeatureCount: 4 } && sparse is null)
            throw new ArgumentException("this fusion was fitted with sparse (TF-IDF) scores: pass them");
        var rows = new (int Label, float Score)[classifier.Rows][];
        Parallel.For(0, classifier.Rows, i => rows[i] = FuseRow(classifier, knn, sparse, i));
        var builder = new CsrBuilder(numLabels);
        foreach (var row in rows)
        {
            foreach (var (l, s) in row) builder.Add(l, s);
            builder.EndRow();
        }
        return builder.Build();
    }

    /// <summary>One point's fused scores, by label id.</summary>
    private (int Label, float Score)[] FuseRow(TopKPredictions classifier, TopKPredictions knn, CsrMatrix? sparse, int i)
    {
        var fused = new SortedDictionary<int, float>();
        var knnScores = RowScores(knn, i);
        bool tree = Options.Kind == FusionKind.DecisionTree;
        bool sparseFeature = _tree is { FeatureCount: 4 };
        double w = Options.ClassifierWeight;
        double gamma = sparse is null ? 0 : Options.SparseWeight ?? 0;
        Span<float> x = stackalloc float[4];
        var labels = classifier.LabelsOf(i);
        var scores = classifier.ScoresOf(i);
        for (int r = 0; r < labels.Length; r++)
        {
            int l = labels[r];
            if (l < 0) continue;
            float k = knnScores.GetValueOrDefault(l);
            float sp = sparse is null ? 0 : sparse[i, l];
            if (tree)
            {
                x[0] = scores[r];
                x[1] = k;
                x[2] = (float)_inversePropensity[l];
                x[3] = sp;
                fused[l] = (float)(Options.Beta * (_tree!.Predict(x[..(sparseFeature ? 4 : 3)]) + k) + scores[r] + gamma * sp);
            }
            else fused[l] = (float)(w * scores[r] + (1 - w) * k + gamma * sp);
        }
        foreach (var (l, k) in knnScores)
            if (!fused.ContainsKey(l))
                fused[l] = (float)((tree ? Options.Beta * k : (1 - w) * k) + (sparse is null ? 0 : gamma * sparse[i, l]));
        return [.. fused.Select(p => (p.Key, p.Value))];
    }

    internal void Write(BinaryWriter w)
    {
        w.Write(System.Text.Json.JsonSerializer.Serialize(Options));
        w.Write(_inversePropensity.Length);
        foreach (var v in _inversePropensity) w.Write(v);
        w.Write(_tree is not null);
        _tree?.Write(w);
    }

    internal static ScoreFusion Read(BinaryReader r, string source)
    {
        var options = System.Text.Json.JsonSerializer.Deserialize<FusionOptions>(r.ReadString())
            ?? throw new DataFormatException(source, 0, "fusion options are missing");
        int n = r.ReadInt32();
        if (n < 0) throw new DataFormatException(source, 0, $"negative propensity count {n}");
        var ips = new double[n];
        for (int i = 0; i < n; i++) ips[i] = r.ReadDouble();
        var tree = r.ReadBoolean() ? FusionTree.Read(r, source) : null;
        if (options.Kind == FusionKind.DecisionTree && tree is null) throw new DataFormatException(source, 0, "tree fusion without a tree");
        return new ScoreFusion(options, tree, ips);
    }

    private static Dictionary<int, float> RowScores(TopKPredictions knn, int row)
    {
        var result = new Dictionary<int, float>();
        var labels = knn.LabelsOf(row);
        var scores = knn.ScoresOf(row);
        for (int r = 0; r < labels.Length; r++)
            if (labels[r] >= 0) result.TryAdd(labels[r], scores[r]);
        return result;
    }
}
