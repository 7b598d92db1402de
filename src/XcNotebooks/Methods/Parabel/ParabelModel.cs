using XcNotebooks.Compute;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Text.Json;
using XcNotebooks.Learners;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Parabel;

/// <summary>
/// A trained Parabel-style tree. Classifier columns: node t &gt; 0's entry classifier is
/// column t - 1 (so an inner node's two children are two adjacent columns); then the leaf labels' classifiers, in the
/// order of <see cref="LabelTree.LeafLabels"/>. A classifier's margin s becomes a log-probability: -max(0, 1 - s)^2 for
/// the SVMs and online learners (Parabel's squared hinge), log sigmoid(s) for logistic regression; a label's score is
/// the sum over its path, and beam search keeps the best <see cref="ParabelOptions.Beam"/> nodes per step.
/// </summary>
public sealed class ParabelModel : IXcModel, IReportDetails
{
    /// <summary>Format version of saved models (2: a count of trees, then each tree; format 1 held one tree).</summary>
    public const int FormatVersion = 2;

    /// <summary>
    /// Wraps a tree and its classifiers, stored sparsely per node (the node that owns them: an inner node owns its two
    /// children's classifiers, a leaf its labels'): owner t keeps the features its classifiers use,
    /// <c>Features[FeatureStart[t] .. FeatureStart[t + 1]]</c> (increasing), and for each of them a row of weights,
    /// one per classifier, in <see cref="Blocks"/> from <c>FeatureStart[t] * width</c> on (width 2 for an inner node,
    /// its label count for a leaf). One bias weight per classifier column.
    /// </summary>
    public ParabelModel(int numLabels, int numFeatures, LabelTree tree, IReadOnlyList<int> featureStart, IReadOnlyList<int> features,
        IReadOnlyList<float> blocks, IReadOnlyList<float> biasWeights, ParabelOptions options)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(featureStart);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(biasWeights);
        Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        Tree = tree.Validate(numLabels);
        int columns = ColumnCount(tree), nodes = tree.NumNodes;
        if (biasWeights.Count != columns)
            throw new ArgumentException($"a tree of {nodes} nodes and {tree.LeafLabels.Count} leaf labels needs {columns} bias weights, got {biasWeights.Count}");
        if (featureStart.Count != nodes + 1 || featureStart[0] != 0 || featureStart[nodes] != features.Count)
            throw new ArgumentException($"feature starts must run from 0 to {features.Count} over {nodes} nodes");
        _blockStart = new long[nodes + 1];
        for (int t = 0; t < nodes; t++)
        {
            if (featureStart[t + 1] < featureStart[t]) throw new ArgumentException($"node {t}'s feature range is negative");
            _blockStart[t + 1] = _blockStart[t] + (long)(featureStart[t + 1] - featureStart[t]) * Width(tree, t);
        }
        if (_blockStart[nodes] != blocks.Count) throw new ArgumentException($"the weight blocks hold {blocks.Count} values, the tree needs {_blockStart[nodes]}");
        for (int t = 0; t < nodes; t++)
            for (int r = featureStart[t]; r < featureStart[t + 1]; r++)
            {
                if ((uint)features[r] >= (uint)numFeatures) throw new ArgumentException($"feature {features[r]} outside 0..{numFeatures - 1}");
                if (r > featureStart[t] && features[r] <= features[r - 1]) throw new ArgumentException($"node {t}'s features are not increasing");
            }
        NumLabels = numLabels;
        NumFeatures = numFeatures;
        _featureStart = featureStart.ToArray();
        _features = features.ToArray();
        _blocks = blocks.ToArray();
        _bias = biasWeights.ToArray();
        _firstChild = tree.FirstChild.ToArray();
        _labelStart = tree.LabelStart.ToArray();
        _labelCount = tree.LabelCount.ToArray();
        _leafLabels = tree.LeafLabels.ToArray();
        _logistic = Options.Learner.Kind == BinaryLearnerKind.LogisticDual;
        (_labelPosition, _leafOfPosition) = LabelPositions(numLabels);
        (_innerStart, _innerColumn, _innerWeight) = FeatureRows(inner: true);
        (_leafStart, _leafColumn, _leafWeight) = FeatureRows(inner: false);
        (_innerDenseRow, _innerDense) = DenseInnerRows();
        _leafCount = _firstChild.Count(c => c < 0);
        (_leafOrdinal, _leafRowIndex, _leafRowAt) = LeafRowIndex();
        _members = [this];
    }

    /// <summary>
    /// An ensemble of single trees (<paramref name="trees"/>, trained on the same labels and features): a label's
    /// score is the log of the mean over the trees of its path probability, 0 in a tree whose beam misses it.
    /// <paramref name="options"/> are the ensemble's (Trees = the number of trees); the single-tree members of this
    /// model (<see cref="Tree"/>, <see cref="Blocks"/>, ...) are those of the first tree.
    /// </summary>
    public static ParabelModel Ensemble(IReadOnlyList<ParabelModel> trees, ParabelOptions options)
    {
        ArgumentNullException.ThrowIfNull(trees);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        if (trees.Count != options.Trees) throw new ArgumentException($"{trees.Count} trees given for an ensemble of {options.Trees}");
        if (trees.Count == 1) return trees[0];
        foreach (var tree in trees)
        {
            if (tree.Members.Count != 1) throw new ArgumentException("an ensemble's members must be single trees");
            if (tree.NumLabels != trees[0].NumLabels || tree.NumFeatures != trees[0].NumFeatures)
                throw new ArgumentException($"ensemble trees disagree on the shape: {tree.NumLabels} x {tree.NumFeatures} vs {trees[0].NumLabels} x {trees[0].NumFeatures}");
            if (tree.Options.Learner.Kind != options.Learner.Kind || tree.Options.Bias != options.Bias || tree.Options.NormalizeRows != options.NormalizeRows)
                throw new ArgumentException("ensemble trees must share the learner kind, bias and row normalisation");
        }
        return new ParabelModel(trees.ToArray(), options);
    }

    private ParabelModel(ParabelModel[] trees, ParabelOptions options)
    {
        var first = trees[0];
        Options = options;
        (NumLabels, NumFeatures, Tree) = (first.NumLabels, first.NumFeatures, first.Tree);
        (_featureStart, _features, _blocks, _bias, _blockStart) = (first._featureStart, first._features, first._blocks, first._bias, first._blockStart);
        (_firstChild, _labelStart, _labelCount, _leafLabels, _logistic) = (first._firstChild, first._labelStart, first._labelCount, first._leafLabels, first._logistic);
        (_labelPosition, _leafOfPosition) = (first._labelPosition, first._leafOfPosition);
        (_innerStart, _innerColumn, _innerWeight) = (first._innerStart, first._innerColumn, first._innerWeight);
        (_leafStart, _leafColumn, _leafWeight) = (first._leafStart, first._leafColumn, first._leafWeight);
        (_innerDenseRow, _innerDense) = (first._innerDenseRow, first._innerDense);
        (_leafOrdinal, _leafRowIndex, _leafRowAt, _leafCount) = (first._leafOrdinal, first._leafRowIndex, first._leafRowAt, first._leafCount);
        _members = trees;
    }

    /// <summary>The trees of the model: itself alone for a single tree, else the ensemble's trees.</summary>
    public IReadOnlyList<ParabelModel> Members => _members;

    private readonly ParabelModel[] _members;

    /// <summary>
    /// The prediction layout: the non-zero weights of the inner nodes' classifiers (<paramref name="inner"/>: columns
    /// 0 .. nodes - 2, child node - 1) or of the leaf labels' (leaf-label positions 0 .. LeafLabels.Count - 1),
    /// feature-major across the whole tree: feature j's weights are <c>Column/Weight[Start[j] .. Start[j + 1]]</c>,
    /// columns increasing (so a leaf's labels are a contiguous stretch of each row). Scoring a point then reads its
    /// features' rows in order, instead of looking each feature up in every node the beam visits (each look-up a
    /// likely cache miss); DiSMEC pruning keeps the rows short. Derived from the blocks: the saved form is unchanged.
    /// </summary>
    private (int[] Start, int[] Column, float[] Weight) FeatureRows(bool inner)
    {
        var start = new int[NumFeatures + 1];
        int[] column = [], at = [];
        float[] weight = [];
        for (int pass = 0; pass < 2; pass++)
        {
            for (int t = 0; t < _firstChild.Length; t++)
            {
                if (_firstChild[t] >= 0 != inner) continue;
                int width = inner ? 2 : _labelCount[t], first = inner ? _firstChild[t] - 1 : _labelStart[t];
                for (int r = _featureStart[t]; r < _featureStart[t + 1]; r++)
                {
                    int j = _features[r];
                    var row = _blocks.AsSpan((int)(_blockStart[t] + (long)(r - _featureStart[t]) * width), width);
                    for (int m = 0; m < width; m++)
                    {
                        if (row[m] == 0) continue;
                        if (pass == 0) start[j + 1]++;
                        else
                        {
                            column[at[j]] = first + m;
                            weight[at[j]++] = row[m];
                        }
                    }
                }
            }
            if (pass == 0)
            {
                for (int j = 0; j < NumFeatures; j++) start[j + 1] = checked(start[j + 1] + start[j]);
                column = new int[start[NumFeatures]];
                weight = new float[column.Length];
                at = start[..NumFeatures];
            }
        }
        return (start, column, weight);
    }

    /// <summary>
    /// Where each label sits: its position in the leaf labels (-1 for a label in no leaf) and, per position, the leaf
    /// whose range holds it (-1 if none). A label may sit in one leaf only (what the ensemble's combination looks up).
    /// </summary>
    private (int[] LabelPosition, int[] LeafOfPosition) LabelPositions(int numLabels)
    {
        var position = new int[numLabels];
        Array.Fill(position, -1);
        var leafOf = new int[_leafLabels.Length];
        Array.Fill(leafOf, -1);
        for (int t = 0; t < _firstChild.Length; t++)
        {
            if (_firstChild[t] >= 0) continue;
            for (int q = _labelStart[t]; q < _labelStart[t] + _labelCount[t]; q++)
            {
                int label = _leafLabels[q];
                if (position[label] >= 0) throw new ArgumentException($"label {label} appears twice among the leaves' labels (positions {position[label]} and {q})");
                position[label] = q;
                leafOf[q] = t;
            }
        }
        return (position, leafOf);
    }

    /// <summary>
    /// The inner classifiers' rows of features used by at least a quarter of them, also dense (one weight per inner
    /// column, zeros included): feature j's is <c>Dense[Row[j] * columns ..]</c> when Row[j] &gt;= 0. Such a row is added
    /// to the margins by vector instructions instead of one scattered add per weight (a row of all of WordNet's
    /// trees holds ~220 of the 510 inner columns), at most 4x its sparse entries in memory. Trees of 32+ inner columns only.
    /// </summary>
    private (int[] Row, float[] Dense) DenseInnerRows()
    {
        int columns = _firstChild.Length - 1, rows = 0;
        var row = new int[NumFeatures];
        // Only in trees of 32+ inner columns: a vector call over a handful of columns costs more than the scattered adds.
        for (int j = 0; j < NumFeatures; j++) row[j] = columns >= 32 && 4L * (_innerStart[j + 1] - _innerStart[j]) >= columns ? rows++ : -1;
        var dense = new float[(long)rows * columns];
        for (int j = 0; j < NumFeatures; j++)
            if (row[j] >= 0)
                for (int e = _innerStart[j]; e < _innerStart[j + 1]; e++) dense[(long)row[j] * columns + _innerColumn[e]] = _innerWeight[e];
        return (row, dense);
    }

    /// <summary>
    /// Where each leaf's stretch starts in the leaf-label rows of features whose row is at least as long as the tree
    /// has leaves: Ordinal[leaf] numbers the leaves in label order, and row j's stretch of the leaf numbered o starts at
    /// <c>At[Index[j] * (leaves + 1) + o]</c> (its end at o + 1) when Index[j] &gt;= 0. Such rows (a common word's, with
    /// hundreds of entries) are then entered at each beam leaf directly instead of by a search; shorter rows are
    /// searched (<see cref="LowerBound"/>). At most one int per entry of those rows in memory.
    /// </summary>
    private (int[] Ordinal, int[] Index, int[] At) LeafRowIndex()
    {
        var ordinal = new int[_firstChild.Length];
        Array.Fill(ordinal, -1);
        var leaves = Enumerable.Range(0, _firstChild.Length).Where(t => _firstChild[t] < 0).OrderBy(t => _labelStart[t]).ToArray(); // _leafCount of them
        for (int o = 0; o < leaves.Length; o++) ordinal[leaves[o]] = o;
        var index = new int[NumFeatures];
        int rows = 0;
        // Only in trees of 16+ leaves: among a few leaves the search is as short as the index look-up.
        for (int j = 0; j < NumFeatures; j++) index[j] = leaves.Length >= 16 && _leafStart[j + 1] - _leafStart[j] >= leaves.Length ? rows++ : -1;
        var at = new int[checked(rows * (leaves.Length + 1))];
        for (int j = 0; j < NumFeatures; j++)
        {
            if (index[j] < 0) continue;
            int pos = _leafStart[j], end = _leafStart[j + 1], baseAt = index[j] * (leaves.Length + 1);
            for (int o = 0; o < leaves.Length; o++)
            {
                int first = _labelStart[leaves[o]];
                while (pos < end && _leafColumn[pos] < first) pos++;
                at[baseAt + o] = pos;
            }
            at[baseAt + leaves.Length] = end;
        }
        return (ordinal, index, at);
    }

    private readonly int[] _innerDenseRow, _leafOrdinal, _leafRowIndex, _leafRowAt;
    private readonly int _leafCount;
    private readonly float[] _innerDense;

    // Plain arrays for the prediction loops (the tree's lists are interfaces).
    private readonly int[] _labelPosition, _leafOfPosition;
    private readonly int[] _featureStart, _features, _firstChild, _labelStart, _labelCount, _leafLabels;
    private readonly long[] _blockStart;
    private readonly float[] _blocks, _bias;
    private readonly bool _logistic;
    // The leaf labels' classifiers feature-major across the tree (see FeatureRows).
    private readonly int[] _leafStart, _leafColumn;
    private readonly float[] _leafWeight;
    // The inner nodes' classifiers (columns 0 .. nodes - 2) feature-major across the whole tree (see FeatureRows).
    private readonly int[] _innerStart, _innerColumn;
    private readonly float[] _innerWeight;

    /// <inheritdoc/>
    public string Method => Parabel.MethodName;

    /// <summary>Number of labels L.</summary>
    public int NumLabels { get; }

    /// <summary>Feature dimension D.</summary>
    public int NumFeatures { get; }

    /// <summary>The label tree (the first tree's in an ensemble).</summary>
    public LabelTree Tree { get; }

    /// <summary>Per owner node, where its features start in <see cref="Features"/> (one more entry than nodes).</summary>
    public IReadOnlyList<int> FeatureStart => _featureStart;

    /// <summary>The features each owner's classifiers use, owner after owner.</summary>
    public IReadOnlyList<int> Features => _features;

    /// <summary>The weights: per owner, one row of its width per used feature.</summary>
    public IReadOnlyList<float> Blocks => _blocks;

    /// <summary>The classifiers' bias weights by column (multiplied by <see cref="ParabelOptions.Bias"/>).</summary>
    public IReadOnlyList<float> BiasWeights => _bias;

    /// <summary>The options the model was trained with.</summary>
    public ParabelOptions Options { get; }

    /// <summary>Bytes of the classifiers: a 4-byte feature id per used feature and owner, 4 bytes per weight and bias.</summary>
    public long ModelBytes => _members.Length > 1 ? _members.Sum(m => m.ModelBytes) : 4L * (_features.Length + _blocks.LongLength + _bias.Length);

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>Holds managed arrays only: nothing to release.</summary>
    void IDisposable.Dispose() { }

    /// <summary>The tree's size: "nodes" and "leaves".</summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor) =>
        new() { Details = new Dictionary<string, object?> { ["trees"] = _members.Length, ["nodes"] = _members.Sum(m => m.Tree.NumNodes), ["leaves"] = _members.Sum(m => m.Tree.NumLeaves) } };

    /// <summary>The weights of classifier <paramref name="column"/> as a dense vector of D values (for inspection and tests).</summary>
    public float[] ClassifierWeights(int column)
    {
        int owner = OwnerOf(column), width = Width(Tree, owner), offset = column - FirstColumn(Tree, owner);
        var dense = new float[NumFeatures];
        for (int r = _featureStart[owner]; r < _featureStart[owner + 1]; r++)
            dense[_features[r]] = _blocks[_blockStart[owner] + (long)(r - _featureStart[owner]) * width + offset];
        return dense;
    }

    private int OwnerOf(int column)
    {
        if ((uint)column >= (uint)_bias.Length) throw new ArgumentOutOfRangeException(nameof(column), $"column {column} outside 0..{_bias.Length - 1}");
        for (int t = 0; t < Tree.NumNodes; t++)
        {
            int first = FirstColumn(Tree, t);
            if (column >= first && column < first + Width(Tree, t)) return t;
        }
        throw new ArgumentException($"no node owns column {column}");
    }

    /// <summary>Classifiers owned by node <paramref name="node"/>: 2 for an inner node, its label count for a leaf.</summary>
    public static int Width(LabelTree tree, int node) => tree.IsLeaf(node) ? tree.LabelCount[node] : 2;

    /// <summary>Classifier columns of a tree: one per non-root node and one per leaf label.</summary>
    public static int ColumnCount(LabelTree tree) => tree.NumNodes - 1 + tree.LeafLabels.Count;

    /// <summary>The first column of node <paramref name="node"/>'s classifiers: its children's (inner node) or its labels' (leaf).</summary>
    public static int FirstColumn(LabelTree tree, int node) =>
        tree.IsLeaf(node) ? tree.NumNodes - 1 + tree.LabelStart[node] : tree.FirstChild[node] - 1;

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k) => TopK(data.Features, k, Options.Beam);

    /// <summary>The k best labels of each point by beam search with <paramref name="beam"/> nodes per step; parallel over points.</summary>
    public TopKPredictions TopK(CsrMatrix features, int k, int beam)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        if (beam < 1) throw new ArgumentException($"beam must be at least 1, got {beam}");
        features = ModelInputs.InFeatureSpace(features, NumFeatures);
        var result = TopKPredictions.Empty(features.Rows, k);
        if (_members.Length > 1) return EnsembleTopK(features, k, beam, result);
        int widest = Math.Max(2, Tree.LabelCount.Max());
        Parallel.For(0, features.Rows, () => new BeamWorkspace(beam, widest, Tree.NumNodes), (i, _, workspace) =>
        {
            BeamSearch(features, i, workspace);
            SelectLeafLabels(workspace, result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k));
            return workspace;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// The ensemble's top k: each tree's beam search, then the mean over the trees of the probabilities exp(path
    /// score) of the labels of their beams' leaves (see <see cref="EnsemblePoint"/>), as log-probabilities.
    /// </summary>
    private TopKPredictions EnsembleTopK(CsrMatrix features, int k, int beam, TopKPredictions result)
    {
        Parallel.For(0, features.Rows, () => new EnsembleWorkspace(_members, beam, NumLabels, k), (i, _, w) =>
        {
            EnsemblePoint(features, i, w, result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k));
            return w;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// One point's ensemble top k without summing every label of every beam: a label's mean probability is at most its
    /// largest probability in any tree, and the k best labels of any one tree have means of at least 1 / trees of their
    /// probabilities there. So with b the largest over the trees of their k-th best log-probability, only labels whose
    /// log-probability in some tree reaches b - log(trees) can be among the k best; their means are computed exactly
    /// (each tree's share looked up in its beam), the other labels' never (no exp, no accumulator over thousands of labels).
    /// </summary>
    // Optimised at first call, as BeamSearch (prediction runs are short).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsemblePoint(CsrMatrix features, int i, EnsembleWorkspace w, Span<int> labels, Span<float> best)
    {
        int trees = _members.Length;
        float bound = float.NegativeInfinity;
        for (int m = 0; m < trees; m++)
        {
            var tree = _members[m];
            tree.BeamSearch(features, i, w.Trees[m]);
            bound = MathF.Max(bound, tree.LeafLogProbabilities(w.Trees[m], w.KthLabels, w.KthScores));
        }
        // The margin covers float rounding in the sums and logs (the bound is exact in real arithmetic).
        float threshold = bound - MathF.Log(trees) - 1e-3f * (1 + MathF.Abs(bound));
        int count = 0;
        var candidates = w.Candidates;
        var seen = w.Seen;
        for (int m = 0; m < trees; m++) count = _members[m].CollectCandidates(w.Trees[m], threshold, seen, candidates, count);
        labels.Fill(-1);
        best.Fill(float.NegativeInfinity);
        for (int c = 0; c < count; c++)
        {
            int label = candidates[c];
            seen[label] = false;
            float sum = 0;
            for (int m = 0; m < trees; m++)
            {
                float score = _members[m].BeamLogProbability(w.Trees[m], label);
                if (score > float.NegativeInfinity) sum += MathF.Exp(score) / trees;
            }
            if (sum > 0 && (sum > best[^1] || labels[^1] < 0)) TopKSelector.Offer(label, sum, labels, best);
        }
        for (int r = 0; r < best.Length && labels[r] >= 0; r++) best[r] = MathF.Log(best[r]);
    }

    private sealed class EnsembleWorkspace
    {
        public EnsembleWorkspace(ParabelModel[] trees, int beam, int numLabels, int k)
        {
            Trees = trees.Select(t => new BeamWorkspace(beam, Math.Max(2, t.Tree.LabelCount.Max()), t.Tree.NumNodes)).ToArray();
            Seen = new bool[numLabels];
            Candidates = new int[Math.Min(numLabels, Trees.Sum(t => t.Leaf.Length))];
            KthLabels = new int[k];
            KthScores = new float[k];
        }

        public readonly BeamWorkspace[] Trees;
        /// <summary>The candidate labels of the point (at most every label of every beam), and which labels are listed.</summary>
        public readonly int[] Candidates;
        public readonly bool[] Seen;
        /// <summary>Scratch for one tree's k best log-probabilities.</summary>
        public readonly int[] KthLabels;
        public readonly float[] KthScores;
    }

    /// <summary>
    /// The k best labels of each point scored exhaustively: every leaf label's path score, no beam. What beam search
    /// returns once the beam is at least the number of leaves (a reference for tests and for the beam's cost).
    /// </summary>
    public TopKPredictions ExhaustiveTopK(CsrMatrix features, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        features = ModelInputs.InFeatureSpace(features, NumFeatures);
        var result = TopKPredictions.Empty(features.Rows, k);
        Parallel.For(0, features.Rows, i =>
        {
            var scores = new float[NumLabels];
            var idx = features.RowIndices(i);
            var val = features.RowValues(i);
            if (_members.Length == 1) ExhaustiveScores(idx, val, scores);
            else
            {
                // The mean of the trees' path probabilities, as a log-probability (-infinity where every tree gives 0).
                var sum = new float[NumLabels];
                foreach (var tree in _members)
                {
                    tree.ExhaustiveScores(idx, val, scores);
                    for (int l = 0; l < NumLabels; l++) sum[l] += MathF.Exp(scores[l]) / _members.Length;
                }
                for (int l = 0; l < NumLabels; l++) scores[l] = sum[l] > 0 ? MathF.Log(sum[l]) : float.NegativeInfinity;
            }
            TopKSelector.Select(scores, result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k));
            for (int r = 0; r < k; r++)
                if (float.IsNegativeInfinity(result.Scores[i * k + r])) result.Labels[i * k + r] = -1;
        });
        return result;
    }

    /// <summary>Every label's path score in this (single) tree on one point; -infinity for labels in no leaf.</summary>
    private void ExhaustiveScores(ReadOnlySpan<int> idx, ReadOnlySpan<float> val, float[] scores)
    {
        var pathScore = new float[Tree.NumNodes];
        Array.Fill(scores, float.NegativeInfinity);
        var buffer = new float[Math.Max(2, Tree.LabelCount.Max())];
        float scale = RowScale(val);
        for (int t = 0; t < Tree.NumNodes; t++) // parents come before children in breadth-first order
        {
            int count = Tree.IsLeaf(t) ? Tree.LabelCount[t] : 2;
            var margins = buffer.AsSpan(0, count);
            Margins(idx, val, scale, t, margins);
            for (int m = 0; m < count; m++)
            {
                float score = pathScore[t] + LogProbability(margins[m]);
                if (Tree.IsLeaf(t)) scores[Tree.LeafLabels[Tree.LabelStart[t] + m]] = score;
                else pathScore[Tree.FirstChild[t] + m] = score;
            }
        }
    }

    private sealed class BeamWorkspace(int beam, int widest, int nodes)
    {
        public readonly int[] Nodes = new int[beam], NextNodes = new int[beam];
        public readonly float[] Scores = new float[beam], NextScores = new float[beam];
        public readonly float[] Inner = new float[Math.Max(0, nodes - 1)], Leaf = new float[beam * widest];
        public readonly int[] Order = new int[beam];
        /// <summary>The point's row scale and the number of leaves in the beam after <see cref="BeamSearch"/>.</summary>
        public float Scale;
        public int Size;
    }

    // Optimised at first call: prediction runs are short, and tier-0 code would dominate them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BeamSearch(CsrMatrix features, int row, BeamWorkspace w)
    {
        var idx = features.RowIndices(row);
        var val = features.RowValues(row);
        float scale = RowScale(val);
        int beam = w.Nodes.Length, size = 1;
        w.Nodes[0] = 0;
        w.Scores[0] = 0;
        var nextNodes = w.NextNodes.AsSpan();
        var nextScores = w.NextScores.AsSpan();
        // Every inner classifier's margin at once (unscaled, no bias): one pass over the point's rows of inner weights.
        var inner = w.Inner.AsSpan();
        inner.Clear();
        for (int p = 0; p < idx.Length; p++)
        {
            float x = val[p];
            int dense = _innerDenseRow[idx[p]];
            if (dense >= 0) TensorPrimitives.MultiplyAdd(_innerDense.AsSpan(dense * inner.Length, inner.Length), x, inner, inner);
            else
                for (int e = _innerStart[idx[p]], end = _innerStart[idx[p] + 1]; e < end; e++) inner[_innerColumn[e]] += x * _innerWeight[e];
        }
        float bias = Options.Bias;
        bool expanded = true;
        while (expanded)
        {
            expanded = false;
            nextNodes.Fill(-1);
            nextScores.Fill(float.NegativeInfinity);
            for (int b = 0; b < size; b++)
            {
                int t = w.Nodes[b], child = _firstChild[t];
                if (child < 0)
                {
                    TopKSelector.Offer(t, w.Scores[b], nextNodes, nextScores);
                    continue;
                }
                expanded = true;
                for (int m = 0; m < 2; m++)
                {
                    int column = child - 1 + m;
                    TopKSelector.Offer(child + m, w.Scores[b] + LogProbability(inner[column] * scale + bias * _bias[column]), nextNodes, nextScores);
                }
            }
            size = 0;
            for (int b = 0; b < beam && nextNodes[b] >= 0; b++, size++)
            {
                w.Nodes[b] = nextNodes[b];
                w.Scores[b] = nextScores[b];
            }
        }
        LeafMargins(idx, val, w, size);
        w.Scale = scale;
        w.Size = size;
    }

    /// <summary>
    /// The unscaled margins (no bias) of the labels of the beam's <paramref name="size"/> leaves (w.Nodes), into
    /// w.Leaf: the leaves in label order, then for each of the point's features one walk along its row of leaf-label
    /// weights, jumping (binary search) to each leaf's stretch of columns and adding the weights found there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LeafMargins(ReadOnlySpan<int> idx, ReadOnlySpan<float> val, BeamWorkspace w, int size)
    {
        var order = w.Order.AsSpan(0, size);
        for (int b = 0; b < size; b++)
        {
            // Insertion sort by the leaves' first label position (the beam is small).
            int at = b;
            while (at > 0 && _labelStart[w.Nodes[order[at - 1]]] > _labelStart[w.Nodes[b]]) { order[at] = order[at - 1]; at--; }
            order[at] = b;
        }
        int widest = w.Leaf.Length / w.Nodes.Length;
        var margins = w.Leaf.AsSpan();
        for (int b = 0; b < size; b++) margins.Slice(b * widest, _labelCount[w.Nodes[b]]).Clear();
        for (int p = 0; p < idx.Length; p++)
        {
            float x = val[p];
            int index = _leafRowIndex[idx[p]];
            if (index >= 0)
            {
                // A long row: each beam leaf's stretch read from the row's index (see LeafRowIndex), no search.
                var at = _leafRowAt.AsSpan(index * (_leafCount + 1), _leafCount + 1);
                for (int b = 0; b < size; b++)
                {
                    int leaf = w.Nodes[b], o = _leafOrdinal[leaf], first = _labelStart[leaf], last = first + _labelCount[leaf];
                    var slot = margins.Slice(b * widest);
                    for (int e = at[o], stop = at[o + 1]; e < stop && _leafColumn[e] < last; e++) slot[_leafColumn[e] - first] += x * _leafWeight[e];
                }
                continue;
            }
            int pos = _leafStart[idx[p]], end = _leafStart[idx[p] + 1];
            for (int o = 0; o < size && pos < end; o++)
            {
                int b = order[o], leaf = w.Nodes[b], first = _labelStart[leaf], last = first + _labelCount[leaf];
                if (_leafColumn[pos] < first) pos = LowerBound(_leafColumn, pos, end, first);
                var slot = margins.Slice(b * widest);
                for (; pos < end && _leafColumn[pos] < last; pos++) slot[_leafColumn[pos] - first] += x * _leafWeight[pos];
            }
        }
    }

    /// <summary>The k best labels of the beam's leaves after <see cref="BeamSearch"/>: path score plus the label's log-probability.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SelectLeafLabels(BeamWorkspace w, Span<int> labels, Span<float> best)
    {
        int widest = w.Leaf.Length / w.Nodes.Length, size = w.Size;
        var margins = w.Leaf.AsSpan();
        float scale = w.Scale;
        labels.Fill(-1);
        best.Fill(float.NegativeInfinity);
        float bias = Options.Bias;
        int firstLeafColumn = _firstChild.Length - 1;
        for (int b = 0; b < size; b++)
        {
            int leaf = w.Nodes[b], count = _labelCount[leaf], start = _labelStart[leaf];
            var slot = margins.Slice(b * widest, count);
            float pathScore = w.Scores[b];
            for (int m = 0; m < count; m++)
            {
                float score = pathScore + LogProbability(slot[m] * scale + bias * _bias[firstLeafColumn + start + m]);
                // Most of a leaf's labels fall below the k-th best: skip the call for them.
                if (score > best[^1] || labels[^1] < 0) TopKSelector.Offer(_leafLabels[start + m], score, labels, best);
            }
        }
    }

    /// <summary>
    /// Turns the margins of the beam's leaf labels after <see cref="BeamSearch"/> (w.Leaf) into their log-probabilities
    /// (path score plus the label's own), in place, and returns the k-th best of them (k = the scratch's length;
    /// -infinity when the beam holds fewer labels).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float LeafLogProbabilities(BeamWorkspace w, int[] kthLabels, float[] kthScores)
    {
        int widest = w.Leaf.Length / w.Nodes.Length;
        float bias = Options.Bias, scale = w.Scale;
        int firstLeafColumn = _firstChild.Length - 1;
        Array.Fill(kthLabels, -1);
        Array.Fill(kthScores, float.NegativeInfinity);
        for (int b = 0; b < w.Size; b++)
        {
            int leaf = w.Nodes[b], count = _labelCount[leaf], start = _labelStart[leaf];
            var slot = w.Leaf.AsSpan(b * widest, count);
            float pathScore = w.Scores[b];
            var leafBias = _bias.AsSpan(firstLeafColumn + start, count);
            // One fused pass (the leaves are short: vector calls per leaf cost more than they save).
            for (int m = 0; m < count; m++)
            {
                float score = pathScore + LogProbability(slot[m] * scale + bias * leafBias[m]);
                slot[m] = score;
                if (score > kthScores[^1] || kthLabels[^1] < 0) TopKSelector.Offer(start + m, score, kthLabels, kthScores);
            }
        }
        return kthLabels[^1] >= 0 ? kthScores[^1] : float.NegativeInfinity;
    }

    /// <summary>
    /// Appends to <paramref name="candidates"/> (from <paramref name="count"/> on) the labels of the beam's leaves whose
    /// log-probability (after <see cref="LeafLogProbabilities"/>) reaches <paramref name="threshold"/> and are not yet
    /// listed (<paramref name="seen"/>, which it sets); returns the new count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int CollectCandidates(BeamWorkspace w, float threshold, bool[] seen, int[] candidates, int count)
    {
        int widest = w.Leaf.Length / w.Nodes.Length;
        for (int b = 0; b < w.Size; b++)
        {
            int leaf = w.Nodes[b], start = _labelStart[leaf];
            var slot = w.Leaf.AsSpan(b * widest, _labelCount[leaf]);
            for (int m = 0; m < slot.Length; m++)
            {
                if (!(slot[m] >= threshold)) continue;
                int label = _leafLabels[start + m];
                if (seen[label]) continue;
                seen[label] = true;
                candidates[count++] = label;
            }
        }
        return count;
    }

    /// <summary>A label's log-probability in the beam after <see cref="LeafLogProbabilities"/>; -infinity if no leaf of the beam holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float BeamLogProbability(BeamWorkspace w, int label)
    {
        int position = _labelPosition[label];
        if (position < 0) return float.NegativeInfinity;
        int leaf = _leafOfPosition[position];
        for (int b = 0; b < w.Size; b++)
            if (w.Nodes[b] == leaf) return w.Leaf[b * (w.Leaf.Length / w.Nodes.Length) + position - _labelStart[leaf]];
        return float.NegativeInfinity;
    }

    /// <summary>
    /// The first position in <c>sorted[from .. end]</c> holding a value of at least <paramref name="value"/> (end if
    /// none), <c>sorted[from]</c> being below it: galloping (the next leaf's stretch is often near) then bisection.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LowerBound(int[] sorted, int from, int end, int value)
    {
        int low = from, step = 1, high = from + 1; // sorted[low] < value throughout
        while (high < end && sorted[high] < value)
        {
            low = high;
            step <<= 1;
            high = low + step;
        }
        if (high > end) high = end;
        while (high - low > 1)
        {
            int middle = (low + high) >>> 1;
            if (sorted[middle] < value) low = middle;
            else high = middle;
        }
        return high;
    }

    /// <summary>1 / |x| when rows are normalised (x / |x| is what the classifiers were trained on), else 1.</summary>
    private float RowScale(ReadOnlySpan<float> values)
    {
        if (!Options.NormalizeRows) return 1;
        float norm = TensorPrimitives.Norm(values);
        return norm > 0 ? 1 / norm : 1;
    }

    /// <summary>
    /// Margins of the classifiers owned by node <paramref name="owner"/> on a point (its feature ids and values), read
    /// from the owner's block the straightforward way: each of the point's features is looked up among the owner's
    /// (binary search) and its dense row of weights added in (what <see cref="ExhaustiveTopK"/> scores with).
    /// </summary>
    private void Margins(ReadOnlySpan<int> idx, ReadOnlySpan<float> val, float scale, int owner, Span<float> margins)
    {
        int width = margins.Length, start = _featureStart[owner];
        var used = _features.AsSpan(start, _featureStart[owner + 1] - start);
        var block = _blocks.AsSpan((int)_blockStart[owner], used.Length * width);
        margins.Clear();
        for (int p = 0; p < idx.Length; p++)
        {
            int r = used.BinarySearch(idx[p]);
            if (r >= 0) TensorPrimitives.MultiplyAdd(block.Slice(r * width, width), val[p], margins, margins);
        }
        int first = FirstColumn(Tree, owner);
        for (int m = 0; m < width; m++) margins[m] = margins[m] * scale + Options.Bias * _bias[first + m];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float LogProbability(float margin)
    {
        if (_logistic)
            return margin >= 0 ? -MathF.Log(1 + MathF.Exp(-margin)) : margin - MathF.Log(1 + MathF.Exp(margin));
        float hinge = MathF.Max(0, 1 - margin);
        return -hinge * hinge;
    }

    /// <inheritdoc/>
    public void Save(string path) =>
        ModelFile.Save(path, Parabel.MethodName, FormatVersion, w =>
        {
            w.Write(NumLabels);
            w.Write(NumFeatures);
            w.Write(_members.Length);
            foreach (var tree in _members)
            {
                w.WriteArray(tree._firstChild);
                w.WriteArray(tree._labelStart);
                w.WriteArray(tree._labelCount);
                w.WriteArray(tree._leafLabels);
                w.WriteArray(tree._featureStart);
                w.WriteArray(tree._features);
                w.WriteArray(tree._blocks);
                w.WriteArray(tree._bias);
            }
            w.Write(JsonSerializer.Serialize(Options, RunReport.JsonOptions));
        });

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <remarks>The model predicts on the CPU: <paramref name="backend"/> is accepted for the common shape and not used.</remarks>
    public static ParabelModel Load(string path, BackendKind? backend = null) =>
        ModelFile.Load(path, Parabel.MethodName, FormatVersion, r =>
        {
            int numLabels = r.ReadInt32(), numFeatures = r.ReadInt32(), count = r.ReadInt32();
            if (count < 1 || count > 1000) throw new DataFormatException(path, 0, $"damaged model file: {count} trees");
            var parts = new (LabelTree Tree, int[] FeatureStart, int[] Features, float[] Blocks, float[] Bias)[count];
            for (int m = 0; m < count; m++)
                parts[m] = (new LabelTree(r.ReadIntArray(), r.ReadIntArray(), r.ReadIntArray(), r.ReadIntArray()),
                    r.ReadIntArray(), r.ReadIntArray(), r.ReadFloatArray(), r.ReadFloatArray());
            var options = JsonSerializer.Deserialize<ParabelOptions>(r.ReadString(), RunReport.JsonOptions)
                ?? throw new DataFormatException(path, 0, "missing options");
            try
            {
                var trees = parts.Select((p, m) => new ParabelModel(numLabels, numFeatures, p.Tree, p.FeatureStart, p.Features, p.Blocks, p.Bias,
                    Parabel.MemberOptions(options, m))).ToArray();
                return Ensemble(trees, options);
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(path, 0, e.Message);
            }
        });

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"ParabelModel {NumLabels:N0} labels in {Tree.NumLeaves:N0} leaves ({Tree.NumNodes:N0} nodes) x {NumFeatures:N0} features";
}
