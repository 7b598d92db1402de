using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.HierarchicalXc;

/// <summary>
/// HierarchicalXC (Srinivasan, Rao, Agarwal 2018): a label tree from complete-link agglomerative clustering of the
/// labels on −co-occurrence, a binary multi-label classifier per inner node deciding which children a point goes to
/// (none, one or both), and an optional linear input autoencoder in front of the classifiers.
/// <para>
/// Deviations from the authors' code, all towards what it meant to do: codes are computed in data order (the original
/// encoded a shuffled loader); each inner node trains on the distinct points carrying a label under it, with targets
/// (1,0) / (0,1) / (1,1) for points under the left child only / the right child only / both (the original repeated
/// points once per label and mis-sliced the targets); the node classifier is a one-vs-rest linear model with
/// Platt-scaled outputs instead of an RBF SVC per output; labels are ranked by the product of node probabilities
/// along their path instead of binary outputs with arbitrary tie order.
/// </para>
/// </summary>
public static class HierarchicalXc
{
    /// <summary>The CLI and model-file name of the method.</summary>
    public const string MethodName = "hierarchicalxc";

    // Inner nodes trained together (in parallel) between two steps of building the nodes' point lists.
    private const int NodeChunk = 64;

    /// <summary>The label tree of <paramref name="labels"/>: agglomerative clustering of the labels on co-occurrence distances.</summary>
    public static LinkageTree LabelTree(LabelMatrix labels, CoOccurrenceDistance distance = CoOccurrenceDistance.NegativeCount,
        LinkageMethod linkage = LinkageMethod.Complete)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.NumLabels < 1) throw new ArgumentException("need at least one label to build a tree");
        // The distances are built here and used once: the clustering may work in their array (17k labels: 1.2 GB, not 2.4).
        return AgglomerativeClustering.Fit(ClassDistances.CoOccurrence(labels, distance), linkage, overwrite: true);
    }

    /// <summary>
    /// The training points of every node of the tree, increasing: a label's points are those carrying it, an inner
    /// node's the union of its children's (index = node id, 0..2L − 2).
    /// </summary>
    public static IReadOnlyList<int[]> PointsPerNode(LinkageTree tree, LabelMatrix labels)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(labels);
        if (tree.NumItems != labels.NumLabels) throw new ArgumentException($"the tree has {tree.NumItems} leaves, the labels {labels.NumLabels}");
        int numLabels = labels.NumLabels;
        var pointsOfLabel = labels.Matrix.Transpose();
        var points = new int[2 * numLabels - 1][];
        for (int l = 0; l < numLabels; l++) points[l] = pointsOfLabel.RowIndices(l).ToArray();
        for (int t = 0; t < tree.Merges.Count; t++)
            points[numLabels + t] = Union(points[tree.Merges[t].Left], points[tree.Merges[t].Right]);
        return points;
    }

    /// <summary>The common training shape; <paramref name="heldout"/> is not used (the paper's method has no validation step).</summary>
    public static HierarchicalXcModel Train(Dataset train, Dataset? heldout, HierarchicalXcOptions options, TrainingMonitor? monitor = null) =>
        Train(train, options, monitor);

    /// <summary>Trains the tree, the optional autoencoder and every node classifier (nodes in parallel).</summary>
    public static HierarchicalXcModel Train(Dataset train, HierarchicalXcOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new HierarchicalXcOptions()).Validate();
        monitor ??= TrainingMonitor.Silent;
        int numLabels = train.NumLabels;
        if (numLabels < 1) throw new ArgumentException($"{train.Name} has no labels");
        var clock = Stopwatch.StartNew();

        AffineEncoder? encoder = null;
        IReadOnlyList<double> autoencoderLoss = [];
        var input = train.Features;
        if (options.AutoencoderDimension > 0)
        {
            var ae = LinearAutoencoder.Train(train, options.AutoencoderDimension, options.AutoencoderEpochs, options.AutoencoderLearningRate,
                options.AutoencoderBatchSize, SeedStreams.HierarchicalXc.Autoencoder.Of(options.Seed), options.Backend, monitor);
            encoder = ae.Encoder;
            autoencoderLoss = ae.LossPerEpoch;
            input = encoder.EncodeAsCsr(train.Features);
        }

        var tree = LabelTree(train.Labels, options.Distance, options.Linkage);
        var hierarchy = tree.ToHierarchy();
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"Label tree: {numLabels:N0} labels, {tree.Merges.Count:N0} inner nodes, height {hierarchy.Height} ({options.Linkage} linkage on {options.Distance}) in {clock.Elapsed.TotalSeconds:F2}s"));
        int inner = tree.Merges.Count, width = input.Cols;
        var left = tree.Merges.Select(m => m.Left).ToArray();
        var right = tree.Merges.Select(m => m.Right).ToArray();
        var has = new bool[inner];
        // Sparse node weights: each side keeps its non-zeros only (a node's classifier touches its points' features).
        var sideRows = new (int Column, float Value)[2 * inner][];
        var bias = new float[2 * inner];
        var calibration = new PlattScaling[2 * inner];
        // Each node's points are its children's union. They are built in merge order, a chunk of nodes at a time, and a
        // child's list is dropped once its parent's chunk is trained: only the current frontier of the tree is held
        // (on a chain-like tree, e.g. 17k WordNet ancestors, height 11k, holding every node's points needs gigabytes).
        var points = new int[2 * numLabels - 1][];
        var pointsOfLabel = train.Labels.Matrix.Transpose();
        for (int l = 0; l < numLabels; l++) points[l] = pointsOfLabel.RowIndices(l).ToArray();
        long done = 0;
        monitor.Report("Node classifiers", 0, inner);
        for (int first = 0; first < inner; first += NodeChunk)
        {
            int last = Math.Min(inner, first + NodeChunk);
            for (int t = first; t < last; t++) points[numLabels + t] = Union(points[left[t]], points[right[t]]);
            Parallel.For(first, last, t =>
            {
                var rows = points[numLabels + t];
                if (rows.Length > 0)
                {
                    has[t] = true;
                    var targets = new[] { Membership(rows, points[left[t]]), Membership(rows, points[right[t]]) };
                    TrainNode(input.SelectRows(rows), targets, options.NodeClassifier with { Seed = SeedStreams.HierarchicalXc.NodeClassifier.Of(options.Seed, t) },
                        sideRows, bias, calibration, 2 * t);
                }
                else
                {
                    // No training point under the node: no classifier, both ways (the original's rule).
                    calibration[2 * t] = calibration[2 * t + 1] = PlattScaling.Constant(0.5);
                }
                monitor.Report("Node classifiers", Interlocked.Increment(ref done), inner);
            });
            for (int t = first; t < last; t++) points[left[t]] = points[right[t]] = null!;
        }
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"Trained {has.Count(h => h):N0} node classifiers ({options.NodeClassifier.Learner.DisplayName}, {options.NodeClassifier.Epochs} epochs) on {width:N0} inputs in {clock.Elapsed.TotalSeconds:F2}s"));
        var sideWeights = CsrMatrix.FromRows(width, sideRows.Select(r => r ?? [])); // a side never trained: an empty row
        return new HierarchicalXcModel(numLabels, left, right, has, sideWeights, bias, calibration, encoder, options, autoencoderLoss);
    }

    /// <summary>
    /// One inner node: a two-output one-vs-rest linear model on its points, then each output's Platt scaling fitted
    /// on its training margins; an output whose target is the same for every point becomes a constant predictor.
    /// Writes rows <paramref name="firstRow"/> and <paramref name="firstRow"/> + 1 of the outputs.
    /// </summary>
    private static void TrainNode(CsrMatrix features, bool[][] targets, OneVsRestOptions options, (int Column, float Value)[][] sideRows,
        float[] bias, PlattScaling[] calibration, int firstRow)
    {
        int n = features.Rows;
        var labels = LabelMatrix.FromLabelSets(Enumerable.Range(0, n).Select(i => Enumerable.Range(0, 2).Where(s => targets[s][i])), 2);
        var model = OneVsRestLinear.Train(new Dataset(features, labels), options);
        var margins = model.Scores(features);
        for (int s = 0; s < 2; s++)
        {
            int positives = targets[s].Count(x => x);
            int row = firstRow + s;
            if (positives == 0 || positives == n)
            {
                calibration[row] = PlattScaling.ForConstantLabels(positives == n, n);
                continue;
            }
            var nonZeros = new List<(int Column, float Value)>();
            for (int f = 0; f < model.Weights.Rows; f++)
            {
                float w = model.Weights[f, s];
                if (w != 0) nonZeros.Add((f, w));
            }
            sideRows[row] = [.. nonZeros];
            bias[row] = options.Bias * model.BiasWeights[s];
            var sideMargins = new float[n];
            for (int i = 0; i < n; i++) sideMargins[i] = margins[i, s];
            calibration[row] = PlattScaling.Fit(sideMargins, targets[s]);
        }
    }

    /// <summary>For each of <paramref name="rows"/> (increasing), whether it is in <paramref name="subset"/> (increasing).</summary>
    private static bool[] Membership(int[] rows, int[] subset)
    {
        var result = new bool[rows.Length];
        for (int i = 0, j = 0; i < rows.Length && j < subset.Length; i++)
        {
            while (j < subset.Length && subset[j] < rows[i]) j++;
            result[i] = j < subset.Length && subset[j] == rows[i];
        }
        return result;
    }

    /// <summary>The union of two increasing arrays, increasing.</summary>
    private static int[] Union(int[] a, int[] b)
    {
        var result = new List<int>(a.Length + b.Length);
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j == b.Length || (i < a.Length && a[i] < b[j])) result.Add(a[i++]);
            else if (i == a.Length || b[j] < a[i]) result.Add(b[j++]);
            else { result.Add(a[i++]); j++; }
        }
        return [.. result];
    }
}
