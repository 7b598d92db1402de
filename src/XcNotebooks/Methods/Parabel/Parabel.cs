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
        var trees = new ParabelModel[options.Trees];
        for (int m = 0; m < trees.Length; m++) trees[m] = TrainTree(train, MemberOptions(options, m), monitor);
        return ParabelModel.Ensemble(trees, options);
    }

    /// <summary>
    /// The options of tree <paramref name="member"/> of an ensemble: one tree, seeded by the run's seed (tree 0, so a
    /// single tree is the ensemble of one) or a seed of its own (<see cref="SeedStreams.Parabel.EnsembleTree"/>).
    /// </summary>
    public static ParabelOptions MemberOptions(ParabelOptions options, int member)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (member < 0 || member >= options.Trees) throw new ArgumentOutOfRangeException(nameof(member), $"tree {member} of {options.Trees}");
        return options with { Trees = 1, Seed = member == 0 ? options.Seed : SeedStreams.Parabel.EnsembleTree.Of(options.Seed, member) };
    }

    private static ParabelModel TrainTree(Dataset train, ParabelOptions options, TrainingMonitor? monitor)
    {
        monitor ??= TrainingMonitor.Silent;
        var clock = Stopwatch.StartNew();
        var trainer = new ParabelNodeTrainer(train, options, BuildTree(train, options, monitor));
        var nodes = new ParabelNode[trainer.Tree.NumNodes];
        int done = 0;
        monitor.Report("Parabel classifiers", 0, nodes.Length);
        Parallel.For(0, nodes.Length, t =>
        {
            nodes[t] = trainer.TrainNode(t);
            monitor.Report("Parabel classifiers", Interlocked.Increment(ref done), nodes.Length);
        });
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"Parabel: {ParabelModel.ColumnCount(trainer.Tree):N0} {options.Learner.DisplayName} classifiers trained in {clock.Elapsed.TotalSeconds:F2}s"));
        return trainer.Assemble(nodes);
    }

    /// <summary>
    /// The label tree of <paramref name="train"/>: balanced spherical 2-means over the centroids of the labels that
    /// have points (seeded by options.Seed), down to leaves of at most options.MaxLeafLabels labels.
    /// </summary>
    public static LabelTree BuildTree(Dataset train, ParabelOptions options, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        monitor ??= TrainingMonitor.Silent;
        var clock = Stopwatch.StartNew();
        var features = options.NormalizeRows ? train.Features.NormalizeRows() : train.Features;
        var labels = train.Labels;
        var centroids = LabelTree.LabelCentroids(features.NormalizeRows(), labels);
        var counts = labels.LabelCounts();
        var seen = Enumerable.Range(0, labels.NumLabels).Where(l => counts[l] > 0).ToArray();
        if (seen.Length == 0) throw new ArgumentException($"{train.Name} has no labelled point to train on");
        var tree = LabelTree.Build(centroids, seen, options.MaxLeafLabels, SeedStreams.Parabel.Tree.Of(options.Seed), options.ClusteringTolerance, options.ClusteringMaxIterations);
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"Parabel tree: {seen.Length:N0} labels in {tree.NumLeaves:N0} leaves of at most {options.MaxLeafLabels}, {tree.NumNodes:N0} nodes ({clock.Elapsed.TotalSeconds:F2}s)"));
        return tree;
    }
}

/// <summary>The classifiers node t owns, kept sparsely: the features they use, a row of weights per feature, their bias weights.</summary>
internal sealed record ParabelNode(int Node, int[] Features, float[] Block, float[] Bias);

/// <summary>
/// Trains the classifiers of any node of a fixed tree, independently of the others (each node's learner seeded by
/// options.Seed and the node), and assembles the nodes into the model: what lets the nodes be trained in parallel,
/// on one machine or dealt to MPI ranks, with the same result.
/// </summary>
internal sealed class ParabelNodeTrainer
{
    private readonly Dataset _train;
    private readonly ParabelOptions _options;
    private readonly CsrMatrix _x, _pointsOf;
    private readonly int[] _parent, _leafOf;
    private readonly int _d;

    public ParabelNodeTrainer(Dataset train, ParabelOptions options, LabelTree tree)
    {
        (_train, _options) = (train, options);
        Tree = tree.Validate(train.NumLabels);
        var features = options.NormalizeRows ? train.Features.NormalizeRows() : train.Features;
        _d = features.Cols;
        // Which nodes each label lies under: its leaf and that leaf's ancestors.
        _parent = new int[tree.NumNodes];
        _parent[0] = -1;
        for (int t = 0; t < tree.NumNodes; t++)
            if (!tree.IsLeaf(t)) _parent[tree.FirstChild[t]] = _parent[tree.FirstChild[t] + 1] = t;
        _leafOf = new int[train.NumLabels];
        Array.Fill(_leafOf, -1);
        for (int t = 0; t < tree.NumNodes; t++)
            if (tree.IsLeaf(t)) foreach (int l in tree.LabelsOf(t)) _leafOf[l] = t;
        _x = options.Bias > 0 ? OneVsRestLinear.WithBiasFeature(features, options.Bias) : features;
        // Points reaching node t: those with a label under t (every point reaches the root).
        _pointsOf = train.Labels.Matrix.Transpose();
    }

    public LabelTree Tree { get; }

    private bool Under(int label, int node)
    {
        for (int t = _leafOf[label]; t >= 0; t = _parent[t]) if (t == node) return true;
        return false;
    }

    /// <summary>
    /// A cost estimate of training node t, to deal nodes to ranks: its classifiers (two, or its labels) times the
    /// points that reach it (bounded by the positives of the labels below it).
    /// </summary>
    public double Cost(int t)
    {
        long positives = LabelsUnder(TrainingNode(t)).Sum(l => (long)_pointsOf.RowLength(l));
        return (double)ParabelModel.Width(Tree, t) * Math.Min(positives, _train.NumPoints);
    }

    /// <summary>
    /// The node whose points train node t's classifiers: t itself, or for a leaf its ancestor
    /// <see cref="ParabelOptions.LeafNegativeLevels"/> levels up (the root at most).
    /// </summary>
    private int TrainingNode(int t)
    {
        int reach = t;
        if (Tree.IsLeaf(t))
            for (int up = 0; up < _options.LeafNegativeLevels && reach > 0; up++) reach = _parent[reach];
        return reach;
    }

    public ParabelNode TrainNode(int t)
    {
        var labels = _train.Labels;
        int reach = TrainingNode(t);
        var points = reach == 0 ? Enumerable.Range(0, _train.NumPoints).ToArray() : PointsUnder(reach);
        int[] targets;
        PointLabels labelsOf;
        if (Tree.IsLeaf(t))
        {
            targets = Tree.LabelsOf(t).ToArray();
            labelsOf = (i, first, y) =>
            {
                for (int m = 0; m < y.Length; m++) y[m] = (sbyte)(labels.Has(points[i], targets[first + m]) ? 1 : -1);
            };
        }
        else
        {
            int child = Tree.FirstChild[t];
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
        var node = LinearLearners.TrainWeights(_options.Learner, _x.SelectRows(points), targets.Length, labelsOf, _options.Epochs,
            SeedStreams.Parabel.NodeLearners.Of(_options.Seed, t));
        int width = targets.Length;
        // Only the features with a non-zero weight are kept (a node's classifiers see only its points' features),
        // unless most are: then all are, and prediction indexes rows directly instead of searching.
        var used = Enumerable.Range(0, _d).Where(j => node.Row(j).ContainsAnyExcept(0f)).ToArray();
        if (4L * used.Length > _d) used = Enumerable.Range(0, _d).ToArray();
        var block = new float[used.Length * width];
        for (int r = 0; r < used.Length; r++) node.Row(used[r]).CopyTo(block.AsSpan(r * width, width));
        return new ParabelNode(t, used, block, _options.Bias > 0 ? node.Row(_d).ToArray() : []);
    }

    /// <summary>The model from every node's classifiers (<paramref name="nodes"/>[t] is node t's).</summary>
    public ParabelModel Assemble(IReadOnlyList<ParabelNode> nodes)
    {
        if (nodes.Count != Tree.NumNodes) throw new ArgumentException($"{nodes.Count} trained nodes for a tree of {Tree.NumNodes}");
        var biasWeights = new float[ParabelModel.ColumnCount(Tree)];
        var featureStart = new int[Tree.NumNodes + 1];
        for (int t = 0; t < Tree.NumNodes; t++)
        {
            if (nodes[t].Node != t) throw new ArgumentException($"node {nodes[t].Node} given in place of node {t}");
            nodes[t].Bias.CopyTo(biasWeights.AsSpan(ParabelModel.FirstColumn(Tree, t)));
            featureStart[t + 1] = checked(featureStart[t] + nodes[t].Features.Length);
        }
        return new ParabelModel(_train.NumLabels, _d, Tree, featureStart, nodes.SelectMany(n => n.Features).ToArray(),
            nodes.SelectMany(n => n.Block).ToArray(), biasWeights, _options);
    }

    private int[] PointsUnder(int node)
    {
        var marked = new bool[_train.NumPoints];
        foreach (int l in LabelsUnder(node))
            foreach (int i in _pointsOf.RowIndices(l)) marked[i] = true;
        return Enumerable.Range(0, marked.Length).Where(i => marked[i]).ToArray();
    }

    /// <summary>The labels of the leaves below <paramref name="node"/> (itself, when it is a leaf).</summary>
    private List<int> LabelsUnder(int node)
    {
        var labels = new List<int>();
        var stack = new Stack<int>([node]);
        while (stack.Count > 0)
        {
            int t = stack.Pop();
            if (Tree.IsLeaf(t)) labels.AddRange(Tree.LabelsOf(t));
            else
            {
                stack.Push(Tree.FirstChild[t]);
                stack.Push(Tree.FirstChild[t] + 1);
            }
        }
        return labels;
    }
}
