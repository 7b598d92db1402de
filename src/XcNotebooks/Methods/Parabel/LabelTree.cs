using System.Numerics.Tensors;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Parabel;

/// <summary>
/// A binary label tree in breadth-first order (node 0 the root; an inner node's two children are consecutive,
/// <see cref="FirstChild"/> and FirstChild + 1; a leaf's FirstChild is -1) whose leaves hold the labels:
/// leaf t holds <c>LeafLabels[LabelStart[t] .. LabelStart[t] + LabelCount[t]]</c>.
/// </summary>
public sealed record LabelTree(IReadOnlyList<int> FirstChild, IReadOnlyList<int> LabelStart, IReadOnlyList<int> LabelCount, IReadOnlyList<int> LeafLabels)
{
    /// <summary>Number of nodes.</summary>
    public int NumNodes => FirstChild.Count;

    /// <summary>True for a leaf.</summary>
    public bool IsLeaf(int node) => FirstChild[node] < 0;

    /// <summary>Number of leaves.</summary>
    public int NumLeaves => FirstChild.Count(c => c < 0);

    /// <summary>The labels of leaf <paramref name="node"/>.</summary>
    public IReadOnlyList<int> LabelsOf(int node) => LeafLabels.Skip(LabelStart[node]).Take(LabelCount[node]).ToArray();

    /// <summary>Checks the arrays' shape (a file read back, or a tree built by hand), throwing ArgumentException.</summary>
    public LabelTree Validate(int numLabels)
    {
        int n = FirstChild.Count;
        if (n == 0 || LabelStart.Count != n || LabelCount.Count != n)
            throw new ArgumentException($"a label tree needs one FirstChild, LabelStart and LabelCount per node (got {FirstChild.Count}, {LabelStart.Count}, {LabelCount.Count})");
        for (int t = 0; t < n; t++)
        {
            int c = FirstChild[t];
            if (c >= 0 && (c <= t || c + 1 >= n)) throw new ArgumentException($"node {t}'s children {c}, {c + 1} are not later nodes of the tree");
            if (c < 0 && (LabelStart[t] < 0 || LabelCount[t] < 0 || LabelStart[t] + LabelCount[t] > LeafLabels.Count))
                throw new ArgumentException($"leaf {t}'s labels {LabelStart[t]}..+{LabelCount[t]} fall outside the {LeafLabels.Count} leaf labels");
        }
        foreach (int l in LeafLabels)
            if ((uint)l >= (uint)numLabels) throw new ArgumentException($"leaf label {l} outside 0..{numLabels - 1}");
        return this;
    }

    /// <summary>
    /// Parabel's label representation: each label's centroid is the sum of the (unit-norm) feature rows of its
    /// training points, scaled to unit norm; labels without points get an empty row. Parallel over labels.
    /// </summary>
    public static CsrMatrix LabelCentroids(CsrMatrix unitFeatures, LabelMatrix labels)
    {
        ArgumentNullException.ThrowIfNull(unitFeatures);
        ArgumentNullException.ThrowIfNull(labels);
        var pointsOf = labels.Matrix.Transpose();
        int numLabels = labels.NumLabels, d = unitFeatures.Cols;
        var rows = new (int[] Index, float[] Value)[numLabels];
        Parallel.For(0, numLabels, () => (Sum: new float[d], Seen: new bool[d], Touched: new List<int>()), (l, _, scratch) =>
        {
            var (sum, seen, touched) = scratch;
            foreach (int i in pointsOf.RowIndices(l))
            {
                var idx = unitFeatures.RowIndices(i);
                var val = unitFeatures.RowValues(i);
                for (int p = 0; p < idx.Length; p++)
                {
                    if (!seen[idx[p]]) { seen[idx[p]] = true; touched.Add(idx[p]); }
                    sum[idx[p]] += val[p];
                }
            }
            touched.Sort();
            var index = touched.ToArray();
            var value = new float[index.Length];
            for (int p = 0; p < index.Length; p++)
            {
                value[p] = sum[index[p]];
                sum[index[p]] = 0;
                seen[index[p]] = false;
            }
            touched.Clear();
            float norm = TensorPrimitives.Norm(value);
            if (norm > 0) TensorPrimitives.Divide(value, norm, value);
            rows[l] = (index, value);
            return scratch;
        }, _ => { });
        var ptr = new long[numLabels + 1];
        for (int l = 0; l < numLabels; l++) ptr[l + 1] = ptr[l] + rows[l].Index.Length;
        var allIndex = new int[ptr[^1]];
        var allValue = new float[ptr[^1]];
        for (int l = 0; l < numLabels; l++)
        {
            rows[l].Index.CopyTo(allIndex, ptr[l]);
            rows[l].Value.CopyTo(allValue, ptr[l]);
        }
        return new CsrMatrix(numLabels, d, ptr, allIndex, allValue, validate: false);
    }

    /// <summary>
    /// Builds the tree over <paramref name="labels"/> (label ids, rows of <paramref name="centroids"/>): a node with
    /// more than <paramref name="maxLeafLabels"/> labels is split by <see cref="BalancedSplit"/>, level by level
    /// (the nodes of a level in parallel, each split seeded by its node id).
    /// </summary>
    public static LabelTree Build(CsrMatrix centroids, IReadOnlyList<int> labels, int maxLeafLabels, int seed, double tolerance = 1e-4, int maxIterations = 50)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        if (maxLeafLabels < 2) throw new ArgumentException($"max leaf labels must be at least 2, got {maxLeafLabels}");
        var members = new List<int[]> { labels.ToArray() };
        var firstChild = new List<int> { -1 };
        for (int levelStart = 0, levelEnd = 1; levelStart < levelEnd; levelStart = levelEnd, levelEnd = members.Count)
        {
            var splits = new (int[] Left, int[] Right)?[levelEnd - levelStart];
            int start = levelStart;
            Parallel.For(levelStart, levelEnd, t =>
            {
                if (members[t].Length > maxLeafLabels)
                    splits[t - start] = BalancedSplit(centroids, members[t], SeedStreams.LabelTree.Split.Of(seed, t), tolerance, maxIterations);
            });
            for (int t = levelStart; t < levelEnd; t++)
            {
                if (splits[t - levelStart] is not { } split) continue;
                firstChild[t] = members.Count;
                members.Add(split.Left);
                members.Add(split.Right);
                firstChild.Add(-1);
                firstChild.Add(-1);
            }
        }
        int nodes = members.Count;
        var labelStart = new int[nodes];
        var labelCount = new int[nodes];
        var leafLabels = new List<int>();
        for (int t = 0; t < nodes; t++)
        {
            if (firstChild[t] >= 0) continue;
            labelStart[t] = leafLabels.Count;
            labelCount[t] = members[t].Length;
            leafLabels.AddRange(members[t]);
        }
        return new LabelTree(firstChild.ToArray(), labelStart, labelCount, leafLabels.ToArray());
    }

    /// <summary>
    /// Balanced spherical 2-means (Parabel): starts from two distinct random members' centroids, then alternates
    /// "rank the members by similarity to the first mean minus similarity to the second and give the first half
    /// (rounded up) to the first" and "re-centre each half, unit norm" until the mean similarity gains less than
    /// <paramref name="tolerance"/>. The halves' sizes differ by at most one; each lists label ids in increasing order.
    /// </summary>
    public static (int[] Left, int[] Right) BalancedSplit(CsrMatrix centroids, IReadOnlyList<int> members, int seed, double tolerance = 1e-4, int maxIterations = 50)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        int n = members.Count;
        if (n < 2) throw new ArgumentException($"a split needs at least two labels, got {n}");
        var random = new Random(seed);
        int first = random.Next(n), second = random.Next(n - 1);
        if (second >= first) second++;
        int d = centroids.Cols;
        var means = new[] { new float[d], new float[d] };
        AddRow(centroids, members[first], means[0]);
        AddRow(centroids, members[second], means[1]);
        var difference = new float[n];
        var similarity = new float[2 * n];
        var order = new int[n];
        int half = (n + 1) / 2;
        double previous = double.NegativeInfinity;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            for (int m = 0; m < n; m++)
            {
                similarity[2 * m] = centroids.DotRow(members[m], means[0]);
                similarity[2 * m + 1] = centroids.DotRow(members[m], means[1]);
                difference[m] = similarity[2 * m] - similarity[2 * m + 1];
                order[m] = m;
            }
            // Ties go by position, so the split does not depend on the sort's stability.
            Array.Sort(order, (a, b) => difference[a] != difference[b] ? difference[b].CompareTo(difference[a]) : a.CompareTo(b));
            double objective = 0;
            for (int r = 0; r < n; r++) objective += similarity[2 * order[r] + (r < half ? 0 : 1)];
            objective /= n;
            Array.Clear(means[0]);
            Array.Clear(means[1]);
            for (int r = 0; r < n; r++) AddRow(centroids, members[order[r]], means[r < half ? 0 : 1]);
            foreach (var mean in means)
            {
                float norm = TensorPrimitives.Norm(mean);
                if (norm > 0) TensorPrimitives.Divide(mean, norm, mean);
            }
            if (objective - previous < tolerance) break;
            previous = objective;
        }
        var left = order[..half].Select(m => members[m]).Order().ToArray();
        var right = order[half..].Select(m => members[m]).Order().ToArray();
        return (left, right);
    }

    private static void AddRow(CsrMatrix matrix, int row, float[] dense)
    {
        var idx = matrix.RowIndices(row);
        var val = matrix.RowValues(row);
        for (int p = 0; p < idx.Length; p++) dense[idx[p]] += val[p];
    }
}
