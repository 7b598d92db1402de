using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Learners;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Parabel;

/// <summary>
/// A Parabel-style label tree (Prabhu, Kag, Harsola, Agrawal, Varma, WWW 2018; laid out as Omikuji): label centroids,
/// balanced spherical 2-means splits down to leaves of at most <see cref="ParabelOptions.MaxLeafLabels"/> labels, a
/// linear classifier for each child of an inner node (trained on the points that reach the node: those with a label
/// below it) and for each label of a leaf (on the points that reach the leaf), and beam search at prediction.
/// </summary>
public static class Parabel
{
    /// <summary>The CLI and model-file name of the method.</summary>
    public const string MethodName = "parabel";

    /// <summary>Trains the tree and its classifiers on <paramref name="train"/> (the common shape; <paramref name="heldout"/> is not used: Parabel has no validation step).</summary>
    public static ParabelModel Train(Dataset train, Dataset? heldout, ParabelOptions options, TrainingMonitor? monitor = null) =>
        Train(train, options, monitor);

    /// <summary>Trains the tree and its classifiers on <paramref name="train"/>.</summary>
    public static ParabelModel Train(Dataset train, ParabelOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new ParabelOptions()).Validate();
        monitor ??= TrainingMonitor.Silent;
        var clock = Stopwatch.StartNew();
        var features = options.NormalizeRows ? train.Features.NormalizeRows() : train.Features;
        var labels = train.Labels;
        var centroids = LabelTree.LabelCentroids(features.NormalizeRows(), labels);
        var counts = labels.LabelCounts();
        var seen = Enumerable.Range(0, labels.NumLabels).Where(l => counts[l] > 0).ToArray();
        if (seen.Length == 0) throw new ArgumentException($"{train.Name} has no labelled point to train on");
        var tree = LabelTree.Build(centroids, seen, options.MaxLeafLabels, Seeds.Derive(options.Seed, -1), options.ClusteringTolerance, options.ClusteringMaxIterations);
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"Parabel tree: {seen.Length:N0} labels in {tree.NumLeaves:N0} leaves of at most {options.MaxLeafLabels}, {tree.NumNodes:N0} nodes ({clock.Elapsed.TotalSeconds:F2}s)"));

        // Which nodes each label lies under: its leaf and that leaf's ancestors.
        var parent = new int[tree.NumNodes];
        parent[0] = -1;
        for (int t = 0; t < tree.NumNodes; t++)
            if (!tree.IsLeaf(t)) parent[tree.FirstChild[t]] = parent[tree.FirstChild[t] + 1] = t;
        var leafOf = new int[labels.NumLabels];
        Array.Fill(leafOf, -1);
        for (int t = 0; t < tree.NumNodes; t++)
            if (tree.IsLeaf(t)) foreach (int l in tree.LabelsOf(t)) leafOf[l] = t;
        bool Under(int label, int node)
        {
            for (int t = leafOf[label]; t >= 0; t = parent[t]) if (t == node) return true;
            return false;
        }

        var x = options.Bias > 0 ? OneVsRestLinear.WithBiasFeature(features, options.Bias) : features;
        int columns = ParabelModel.ColumnCount(tree), d = features.Cols;
        var biasWeights = new float[columns];
        var nodeFeatures = new int[tree.NumNodes][];
        var nodeBlocks = new float[tree.NumNodes][];
        // Points reaching node t: those with a label under t (every point reaches the root).
        var pointsOf = labels.Matrix.Transpose();
        int done = 0;
        monitor.Report("Parabel classifiers", 0, tree.NumNodes);
        Parallel.For(0, tree.NumNodes, t =>
        {
            var points = t == 0 ? Enumerable.Range(0, train.NumPoints).ToArray() : PointsUnder(tree, t, pointsOf, train.NumPoints);
            int[] targets;
            PointLabels labelsOf;
            if (tree.IsLeaf(t))
            {
                targets = tree.LabelsOf(t).ToArray();
                labelsOf = (i, first, y) =>
                {
                    for (int m = 0; m < y.Length; m++) y[m] = (sbyte)(labels.Has(points[i], targets[first + m]) ? 1 : -1);
                };
            }
            else
            {
                int child = tree.FirstChild[t];
                targets = [child, child + 1];
                labelsOf = (i, first, y) =>
                {
                    for (int m = 0; m < y.Length; m++)
                    {
                        bool positive = false;
                        foreach (int l in labels.LabelsOf(points[i])) positive |= Under(l, targets[first + m]);
                        y[m] = (sbyte)(positive ? 1 : -1);
                    }
                };
            }
            var node = LinearLearners.TrainWeights(options.Learner, x.SelectRows(points), targets.Length, labelsOf, options.Epochs,
                Seeds.Derive(options.Seed, t));
            int firstColumn = ParabelModel.FirstColumn(tree, t), width = targets.Length;
            // Only the features with a non-zero weight are kept (a node's classifiers see only its points' features),
            // unless most are: then all are, and prediction indexes rows directly instead of searching.
            var used = Enumerable.Range(0, d).Where(j => node.Row(j).ContainsAnyExcept(0f)).ToArray();
            if (4L * used.Length > d) used = Enumerable.Range(0, d).ToArray();
            var block = new float[used.Length * width];
            for (int r = 0; r < used.Length; r++) node.Row(used[r]).CopyTo(block.AsSpan(r * width, width));
            (nodeFeatures[t], nodeBlocks[t]) = (used, block);
            if (options.Bias > 0) node.Row(d).CopyTo(biasWeights.AsSpan(firstColumn, width));
            monitor.Report("Parabel classifiers", Interlocked.Increment(ref done), tree.NumNodes);
        });
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"Parabel: {columns:N0} {options.Learner.DisplayName} classifiers trained in {clock.Elapsed.TotalSeconds:F2}s"));
        var featureStart = new int[tree.NumNodes + 1];
        for (int t = 0; t < tree.NumNodes; t++) featureStart[t + 1] = checked(featureStart[t] + nodeFeatures[t].Length);
        return new ParabelModel(labels.NumLabels, d, tree, featureStart, nodeFeatures.SelectMany(f => f).ToArray(),
            nodeBlocks.SelectMany(b => b).ToArray(), biasWeights, options);
    }

    private static int[] PointsUnder(LabelTree tree, int node, CsrMatrix pointsOfLabel, int numPoints)
    {
        var marked = new bool[numPoints];
        var stack = new Stack<int>([node]);
        while (stack.Count > 0)
        {
            int t = stack.Pop();
            if (tree.IsLeaf(t))
            {
                foreach (int l in tree.LabelsOf(t))
                    foreach (int i in pointsOfLabel.RowIndices(l)) marked[i] = true;
            }
            else
            {
                stack.Push(tree.FirstChild[t]);
                stack.Push(tree.FirstChild[t] + 1);
            }
        }
        return Enumerable.Range(0, numPoints).Where(i => marked[i]).ToArray();
    }
}
