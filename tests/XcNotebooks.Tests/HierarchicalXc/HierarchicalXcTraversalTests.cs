using XcNotebooks.Learners;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.HierarchicalXcTests;

/// <summary>
/// The tree inference on a hand-built model whose node outputs are feature switches: output s of node t says yes
/// exactly when feature 2t + s is on, so every subset of the features fixes which classifiers say yes.
/// </summary>
public sealed class HierarchicalXcTraversalTests
{
    // Labels 0..4; inner nodes 5 = (0, 1), 6 = (2, 3), 7 = (5, 6), 8 = (7, 4) the root. Node 6 has no classifier.
    private const int Labels = 5;
    private static readonly int[] Left = [0, 2, 5, 7];
    private static readonly int[] Right = [1, 3, 6, 4];
    private static readonly bool[] Has = [true, false, true, true];

    /// <summary>Output 2t + s: weight 1 on feature 2t + s, bias −0.5, Platt A = 4 (p = σ(±2)), plus a per-output offset B.</summary>
    private static HierarchicalXcModel SwitchModel(HierarchicalXcRanking ranking = HierarchicalXcRanking.BestFirst)
    {
        int outputs = 2 * (Labels - 1);
        var weights = new RowMajorMatrix(outputs, outputs);
        for (int o = 0; o < outputs; o++) weights[o, o] = 1f;
        var bias = Enumerable.Repeat(-0.5f, outputs).ToArray();
        // Small distinct offsets make every path product distinct, so the ranking has no ties.
        var calibration = Enumerable.Range(0, outputs).Select(o => new PlattScaling(4, 0.05 * o)).ToArray();
        return new HierarchicalXcModel(Labels, Left, Right, Has, weights, bias, calibration, null, new HierarchicalXcOptions { Ranking = ranking });
    }

    private static Dataset AllSwitchSettings()
    {
        int outputs = 2 * (Labels - 1);
        var rows = Enumerable.Range(0, 1 << outputs)
            .Select(mask => Enumerable.Range(0, outputs).Where(f => (mask >> f & 1) == 1).Select(f => (f, 1f)))
            .ToArray();
        var features = CsrMatrix.FromRows(outputs, rows);
        return new Dataset(features, LabelMatrix.FromLabelSets(rows.Select(_ => Array.Empty<int>()), Labels));
    }

    private static bool Yes(int mask, int node, int side) => !Has[node - Labels] || (mask >> (2 * (node - Labels) + side) & 1) == 1;

    [Fact]
    public void TheTraversalVisitsExactlyTheNodesWhoseParentsSaidYes()
    {
        var model = SwitchModel();
        var data = AllSwitchSettings();
        var traversal = model.Traverse(data);
        for (int mask = 0; mask < data.NumPoints; mask++)
        {
            // Brute force: a node is visited when it is the root, or its parent was visited and said yes towards it.
            var parent = new Dictionary<int, (int Parent, int Side)>();
            for (int t = 0; t < Left.Length; t++)
            {
                parent[Left[t]] = (Labels + t, 0);
                parent[Right[t]] = (Labels + t, 1);
            }
            bool Reached(int node) => node == model.Root || (parent[node] is var (p, s) && Reached(p) && Yes(mask, p, s));
            var expectedNodes = Enumerable.Range(Labels, Labels - 1).Where(Reached).ToHashSet();
            var expectedLabels = Enumerable.Range(0, Labels).Where(Reached).ToArray();

            Assert.Equal(model.Root, traversal.VisitedNodes[mask][0]);
            Assert.Equal(expectedNodes, traversal.VisitedNodes[mask].ToHashSet());
            Assert.Equal(expectedNodes.Count, traversal.VisitedNodes[mask].Length);
            Assert.Equal(expectedLabels, traversal.ReachedLabels[mask]);
            Assert.Equal(expectedNodes.Count(n => Has[n - Labels]), traversal.ClassifiersEvaluated[mask]);
        }
        // All switches off: only the root is visited and nothing is reached; all on: every node and label.
        Assert.Equal([model.Root], traversal.VisitedNodes[0]);
        Assert.Empty(traversal.ReachedLabels[0]);
        Assert.Equal(Enumerable.Range(0, Labels), traversal.ReachedLabels[^1]);
    }

    [Fact]
    public void PathScoresAreProductsOfTheSidesTaken()
    {
        var model = SwitchModel();
        var data = AllSwitchSettings();
        var input = model.ClassifierInput(data.Features);
        var traversal = model.Traverse(data);
        int all = data.NumPoints - 1;
        // Label 3's path: root (8) left to 7, 7 right to 6, 6 (no classifier, probability 1) right to 3.
        double expected = model.SideProbabilities(input, all, 8).Left * model.SideProbabilities(input, all, 7).Right * 1.0;
        Assert.Equal((1.0, 1.0), model.SideProbabilities(input, all, 6));
        int at = Array.IndexOf(traversal.ReachedLabels[all], 3);
        Assert.Equal(expected, traversal.ReachedScores[all][at], 5);
        // σ(4 · (1 − 0.5) + 0.05 · output): node 8 is t = 3, its left output is 6.
        Assert.Equal(1 / (1 + Math.Exp(-(2 + 0.05 * 6))), model.SideProbabilities(input, all, 8).Left, 9);
    }

    [Fact]
    public void BestFirstRankingEqualsTheBruteForcePathProductRanking()
    {
        var model = SwitchModel();
        var data = AllSwitchSettings();
        var input = model.ClassifierInput(data.Features);
        var prediction = model.Predict(data, 3);
        for (int mask = 0; mask < data.NumPoints; mask++)
        {
            // Every label's path product, computed top-down over the whole tree.
            var score = new double[2 * Labels - 1];
            score[model.Root] = 1;
            for (int t = Left.Length - 1; t >= 0; t--)
            {
                var (pl, pr) = model.SideProbabilities(input, mask, Labels + t);
                score[Left[t]] = score[Labels + t] * pl;
                score[Right[t]] = score[Labels + t] * pr;
            }
            var expected = Enumerable.Range(0, Labels).OrderByDescending(l => score[l]).ThenBy(l => l).Take(3).ToArray();
            Assert.Equal(expected, prediction.TopK.LabelsOf(mask).ToArray());
            for (int r = 0; r < 3; r++) Assert.Equal(score[expected[r]], prediction.TopK.ScoresOf(mask)[r], 5);
            Assert.InRange(prediction.ClassifiersEvaluated[mask], 1, 3);
        }
    }

    [Fact]
    public void TraversalRankingKeepsOnlyReachedLabels()
    {
        var model = SwitchModel(HierarchicalXcRanking.Traversal);
        var data = AllSwitchSettings();
        var traversal = model.Traverse(data);
        var topk = model.TopK(data, Labels);
        for (int mask = 0; mask < data.NumPoints; mask++)
        {
            var ranked = topk.LabelArray(mask);
            Assert.Equal(traversal.ReachedLabels[mask].Order(), ranked.Order());
            var scores = topk.ScoresOf(mask)[..ranked.Length].ToArray();
            Assert.Equal(scores.OrderByDescending(s => s), scores);
        }
    }

    [Fact]
    public void ABrokenTreeIsRefused()
    {
        var weights = new RowMajorMatrix(4, 2);
        var calibration = new PlattScaling[4];
        var options = new HierarchicalXcOptions();
        // Node 4 may not hang below itself, and label 0 may not have two parents.
        Assert.Throws<ArgumentException>(() => new HierarchicalXcModel(3, [0, 4], [1, 2], [true, true], weights, new float[4], calibration, null, options));
        Assert.Throws<ArgumentException>(() => new HierarchicalXcModel(3, [0, 0], [1, 3], [true, true], weights, new float[4], calibration, null, options));
        Assert.Throws<ArgumentException>(() => new HierarchicalXcModel(3, [0], [1], [true], weights, new float[4], calibration, null, options));
    }
}
