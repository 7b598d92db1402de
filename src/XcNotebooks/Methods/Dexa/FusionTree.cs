using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dexa;

/// <summary>
/// A CART binary classification tree (gini impurity, as scikit-learn's DecisionTreeClassifier with its defaults):
/// DEXA fits one of depth 7 on (classifier score, embedding score, inverse propensity) to turn shortlist scores into
/// a probability of relevance. Splits are "feature ≤ midpoint between two consecutive distinct values"; the best
/// split of a node maximises the impurity decrease (ties: lower feature, then lower threshold); a leaf predicts
/// the fraction of positives among its training samples.
/// </summary>
public sealed class FusionTree
{
    private readonly int[] _feature;
    private readonly float[] _threshold;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly double[] _value;

    private FusionTree(int featureCount, int[] feature, float[] threshold, int[] left, int[] right, double[] value)
    {
        FeatureCount = featureCount;
        _feature = feature;
        _threshold = threshold;
        _left = left;
        _right = right;
        _value = value;
    }

    /// <summary>Number of input features.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of nodes (inner and leaves).</summary>
    public int NodeCount => _feature.Length;

    /// <summary>Depth of the deepest leaf (0 for a single leaf).</summary>
    public int Depth => DepthOf(0);

    /// <summary>
    /// Fits a tree on <paramref name="samples"/> (one row of features per sample) with binary
    /// <paramref name="targets"/>, growing nodes to <paramref name="maxDepth"/> while a split lowers the impurity.
    /// </summary>
    public static FusionTree Fit(RowMajorMatrix samples, IReadOnlyList<bool> targets, int maxDepth = 7)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(targets);
        if (samples.Rows != targets.Count) throw new ArgumentException($"{samples.Rows} samples but {targets.Count} targets");
        if (samples.Rows == 0) throw new ArgumentException("no samples to fit a tree on");
        if (maxDepth < 0) throw new ArgumentException($"max depth must be 0 or more, got {maxDepth}");
        var y = targets.ToArray();
        var feature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var value = new List<double>();
        int Grow(int[] indices, int depth)
        {
            int node = feature.Count;
            int positives = indices.Count(i => y[i]);
            feature.Add(-1);
            threshold.Add(0);
            left.Add(-1);
            right.Add(-1);
            value.Add((double)positives / indices.Length);
            if (depth >= maxDepth || positives == 0 || positives == indices.Length) return node;
            var split = BestSplit(samples, y, indices, positives);
            if (split is not { } s) return node;
            var l = indices.Where(i => samples[i, s.Feature] <= s.Threshold).ToArray();
            var r = indices.Where(i => samples[i, s.Feature] > s.Threshold).ToArray();
            feature[node] = s.Feature;
            threshold[node] = s.Threshold;
            int ln = Grow(l, depth + 1);
            int rn = Grow(r, depth + 1);
            left[node] = ln;
            right[node] = rn;
            return node;
        }
        Grow(Enumerable.Range(0, samples.Rows).ToArray(), 0);
        return new FusionTree(samples.Cols, [.. feature], [.. threshold], [.. left], [.. right], [.. value]);
    }

    /// <summary>The fast path of <see cref="Predict(float[])"/> on a row of a feature matrix.</summary>
    internal double Predict(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount) throw new ArgumentException($"{features.Length} features given, the tree takes {FeatureCount}");
        int node = 0;
        while (_feature[node] >= 0) node = features[_feature[node]] <= _threshold[node] ? _left[node] : _right[node];
        return _value[node];
    }

    /// <summary>The probability of the positive class for one feature row.</summary>
    public double Predict(float[] features) => Predict((ReadOnlySpan<float>)features);

    internal void Write(BinaryWriter w)
    {
        w.Write(FeatureCount);
        w.Write(NodeCount);
        for (int n = 0; n < NodeCount; n++)
        {
            w.Write(_feature[n]);
            w.Write(_threshold[n]);
            w.Write(_left[n]);
            w.Write(_right[n]);
            w.Write(_value[n]);
        }
    }

    internal static FusionTree Read(BinaryReader r, string source)
    {
        int features = r.ReadInt32(), count = r.ReadInt32();
        if (features < 1 || count < 1) throw new DataFormatException(source, 0, $"bad fusion tree ({features} features, {count} nodes)");
        var feature = new int[count];
        var threshold = new float[count];
        var left = new int[count];
        var right = new int[count];
        var value = new double[count];
        for (int n = 0; n < count; n++)
        {
            feature[n] = r.ReadInt32();
            threshold[n] = r.ReadSingle();
            left[n] = r.ReadInt32();
            right[n] = r.ReadInt32();
            value[n] = r.ReadDouble();
            bool inner = feature[n] >= 0;
            if (feature[n] >= features || (inner && (left[n] <= n || right[n] <= n || left[n] >= count || right[n] >= count)))
                throw new DataFormatException(source, 0, $"fusion tree node {n} is malformed");
        }
        return new FusionTree(features, feature, threshold, left, right, value);
    }

    private int DepthOf(int node) => _feature[node] < 0 ? 0 : 1 + Math.Max(DepthOf(_left[node]), DepthOf(_right[node]));

    private static (int Feature, float Threshold)? BestSplit(RowMajorMatrix samples, bool[] y, int[] indices, int positives)
    {
        int n = indices.Length;
        double parent = Gini(positives, n);
        double bestGain = 1e-12;
        (int, float)? best = null;
        var keys = new float[n];
        var order = new int[n];
        for (int f = 0; f < samples.Cols; f++)
        {
            for (int i = 0; i < n; i++)
            {
                keys[i] = samples[indices[i], f];
                order[i] = indices[i];
            }
            Array.Sort(keys, order);
            int leftPositives = 0;
            for (int i = 0; i + 1 < n; i++)
            {
                if (y[order[i]]) leftPositives++;
                if (!(keys[i] < keys[i + 1])) continue;
                int nl = i + 1, nr = n - nl;
                double child = (nl * Gini(leftPositives, nl) + nr * Gini(positives - leftPositives, nr)) / n;
                double gain = parent - child;
                if (gain > bestGain)
                {
                    bestGain = gain;
                    float mid = keys[i] / 2 + keys[i + 1] / 2;
                    best = (f, mid < keys[i + 1] ? mid : keys[i]);
                }
            }
        }
        return best;
    }

    private static double Gini(int positives, int count)
    {
        if (count == 0) return 0;
        double p = (double)positives / count;
        return 2 * p * (1 - p);
    }
}
