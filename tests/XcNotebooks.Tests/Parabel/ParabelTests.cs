using XcNotebooks.Learners;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Synthetic;
using Xunit;

namespace XcNotebooks.Tests.Parabel;

public class ParabelTests
{
    private static readonly DataSplits Data = SyntheticXc.Generate(new SyntheticXcOptions
    {
        NumLabels = 60, NumFeatures = 200, NumTrain = 600, NumHeldout = 0, NumTest = 150, Seed = 4,
        Texts = false, MultiLabel = true, NoiseRate = 0.3, PowerLawExponent = 0.5,
    });

    // One tree, leaves trained on their own labels' points: the tests of a single tree's layout and scoring.
    private static readonly ParabelOptions Small = new() { MaxLeafLabels = 8, Seed = 2, Trees = 1, LeafNegativeLevels = 0 };

    [Fact]
    public void BalancedSplitHalvesDifferByAtMostOne()
    {
        var centroids = LabelTree.LabelCentroids(Data.Train.Features.NormalizeRows(), Data.Train.Labels);
        foreach (int count in new[] { 2, 7, 30, 60 })
        {
            var members = Enumerable.Range(0, count).ToArray();
            var (left, right) = LabelTree.BalancedSplit(centroids, members, seed: count);
            Assert.True(Math.Abs(left.Length - right.Length) <= 1, $"{left.Length} vs {right.Length}");
            Assert.Equal(members, left.Concat(right).Order());
        }
        // Every inner node of a built tree splits its labels evenly, and leaves hold at most the maximum.
        var tree = LabelTree.Build(centroids, Enumerable.Range(0, 60).ToArray(), 8, seed: 1);
        int Size(int t) => tree.IsLeaf(t) ? tree.LabelCount[t] : Size(tree.FirstChild[t]) + Size(tree.FirstChild[t] + 1);
        for (int t = 0; t < tree.NumNodes; t++)
        {
            if (tree.IsLeaf(t)) Assert.InRange(tree.LabelCount[t], 1, 8);
            else Assert.InRange(Size(tree.FirstChild[t]) - Size(tree.FirstChild[t] + 1), 0, 1);
        }
        Assert.Equal(Enumerable.Range(0, 60), tree.LeafLabels.Order());
    }

    [Fact]
    public void SplitSeparatesTwoObviousGroups()
    {
        // Labels 0-3 live on features 0-1, labels 4-7 on features 2-3: any sensible 2-means puts them apart.
        var centroids = CsrMatrix.FromRows(4, Enumerable.Range(0, 8).Select(l => l < 4
            ? new[] { (0, 1f), (1, 0.1f * l) }
            : new[] { (2, 1f), (3, 0.1f * l) }).Select(r => r.AsEnumerable()));
        var (left, right) = LabelTree.BalancedSplit(centroids.NormalizeRows(), Enumerable.Range(0, 8).ToArray(), seed: 3);
        var groups = new[] { left, right }.Select(h => h.All(l => l < 4) || h.All(l => l >= 4));
        Assert.All(groups, Assert.True);
    }

    [Fact]
    public void FullBeamEqualsExhaustiveScoring()
    {
        var model = Methods.Parabel.Parabel.Train(Data.Train, Small);
        Assert.True(model.Tree.NumLeaves >= 8);
        var exhaustive = model.ExhaustiveTopK(Data.Test.Features, 5);
        var full = model.TopK(Data.Test.Features, 5, beam: model.Tree.NumLeaves);
        Assert.Equal(exhaustive.Scores, full.Scores);
        for (int i = 0; i < Data.Test.NumPoints; i++)
            for (int r = 0; r < 5; r++)
            {
                bool tied = (r > 0 && exhaustive.Scores[i * 5 + r] == exhaustive.Scores[i * 5 + r - 1])
                    || (r < 4 && exhaustive.Scores[i * 5 + r] == exhaustive.Scores[i * 5 + r + 1]);
                if (!tied) Assert.Equal(exhaustive.Labels[i * 5 + r], full.Labels[i * 5 + r]);
            }
        // A narrow beam can only lose: its best score never beats the exhaustive best.
        var narrow = model.TopK(Data.Test.Features, 1, beam: 1);
        for (int i = 0; i < Data.Test.NumPoints; i++) Assert.True(narrow.Scores[i] <= exhaustive.Scores[i * 5]);
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(2, 1000)]
    public void ManyLeavesScoreAsExhaustiveScoringThroughTheDenseAndIndexedRows(int maxLeafLabels, int beam)
    {
        // Trees of 32+ inner columns and 16+ leaves take the dense inner rows and the leaf rows' index; the exhaustive
        // scoring reads the per-node blocks by binary search (none of that layout). A full beam gives the same sums in
        // the same order; a narrow one gives each of its labels the exhaustive score of that label.
        var model = Methods.Parabel.Parabel.Train(Data.Train, Small with { MaxLeafLabels = maxLeafLabels });
        Assert.True(model.Tree.NumLeaves >= 16 && model.Tree.NumNodes - 1 >= 32, $"{model.Tree.NumLeaves} leaves");
        int all = Data.Train.NumLabels;
        var exhaustive = model.ExhaustiveTopK(Data.Test.Features, all);
        var got = model.TopK(Data.Test.Features, 5, beam);
        for (int i = 0; i < Data.Test.NumPoints; i++)
        {
            var score = new Dictionary<int, float>();
            for (int r = 0; r < all && exhaustive.Labels[i * all + r] >= 0; r++) score[exhaustive.Labels[i * all + r]] = exhaustive.Scores[i * all + r];
            for (int r = 0; r < 5 && got.Labels[i * 5 + r] >= 0; r++)
                Assert.Equal(score[got.Labels[i * 5 + r]], got.Scores[i * 5 + r]);
            if (beam >= model.Tree.NumLeaves)
                Assert.Equal(exhaustive.Scores.AsSpan(i * all, 5).ToArray(), got.Scores.AsSpan(i * 5, 5).ToArray());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void BeamSearchGivesTheBruteForceTopKOverTheTree(int beam)
    {
        // The reference: every classifier's dense weights (ClassifierWeights), margins in double on x / |x|, squared-hinge
        // log-probabilities summed along paths, and a beam kept level by level by sorting; nothing of the prediction layout.
        var model = Methods.Parabel.Parabel.Train(Data.Train, Small);
        var tree = model.Tree;
        var weights = Enumerable.Range(0, ParabelModel.ColumnCount(tree)).Select(model.ClassifierWeights).ToArray();
        var x = Data.Test.Features.NormalizeRows();
        const int k = 5;
        var got = model.TopK(Data.Test.Features, k, beam);
        for (int i = 0; i < x.Rows; i++)
        {
            var idx = x.RowIndices(i).ToArray();
            var val = x.RowValues(i).ToArray();
            double LogProbability(int column)
            {
                double margin = Small.Bias * model.BiasWeights[column];
                for (int p = 0; p < idx.Length; p++) margin += val[p] * weights[column][idx[p]];
                double hinge = Math.Max(0, 1 - margin);
                return -hinge * hinge;
            }
            var frontier = new List<(int Node, double Score)> { (0, 0) };
            while (frontier.Any(f => !tree.IsLeaf(f.Node)))
                frontier = frontier.SelectMany(f => tree.IsLeaf(f.Node)
                        ? [f]
                        : new[] { 0, 1 }.Select(m => (Node: tree.FirstChild[f.Node] + m, Score: f.Score + LogProbability(tree.FirstChild[f.Node] + m - 1))))
                    .OrderByDescending(f => f.Score).Take(beam).ToList();
            var expected = frontier
                .SelectMany(f => tree.LabelsOf(f.Node).Select((label, m) => (Label: label, Score: f.Score + LogProbability(ParabelModel.FirstColumn(tree, f.Node) + m))))
                .OrderByDescending(e => e.Score).Take(k).ToArray();
            for (int r = 0; r < k; r++)
            {
                Assert.Equal(expected[r].Score, got.Scores[i * k + r], 1e-4);
                bool nearTie = (r > 0 && expected[r - 1].Score - expected[r].Score < 1e-4) || (r < k - 1 && expected[r].Score - expected[r + 1].Score < 1e-4);
                if (!nearTie) Assert.Equal(expected[r].Label, got.Labels[i * k + r]);
            }
        }
    }

    [Fact]
    public void LearnsAndComesCloseToOneVsRest()
    {
        var model = Methods.Parabel.Parabel.Train(Data.Train, Small);
        double parabel = XcMetrics.Evaluate(Data.Test.Labels, model.TopK(Data.Test, 1), 1).P(1);
        double ovr = XcMetrics.Evaluate(Data.Test.Labels, OneVsRestLinear.Train(Data.Train).TopK(Data.Test, 1), 1).P(1);
        double popularity = XcMetrics.Evaluate(Data.Test.Labels, Methods.Baselines.LabelPopularity.Train(Data.Train).TopK(Data.Test, 1), 1).P(1);
        Assert.True(parabel > popularity + 0.2, $"Parabel P@1 {parabel:F3}, popularity {popularity:F3}");
        Assert.True(parabel >= ovr - 0.1, $"Parabel P@1 {parabel:F3}, one-vs-rest {ovr:F3}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void LeafClassifierIsTheLoneSolutionOnThePointsReachingTheLeaf(int negativeLevels)
    {
        var options = Small with { NormalizeRows = false, Bias = 0, LeafNegativeLevels = negativeLevels };
        var model = Methods.Parabel.Parabel.Train(Data.Train, options);
        var tree = model.Tree;
        int leaf = Enumerable.Range(0, tree.NumNodes).First(tree.IsLeaf);
        // The node whose labels' points train the leaf: the leaf, or its ancestor negativeLevels up (parents found by search).
        int reach = leaf;
        for (int up = 0; up < negativeLevels && reach > 0; up++)
            reach = Enumerable.Range(0, tree.NumNodes).Single(t => !tree.IsLeaf(t) && (tree.FirstChild[t] == reach || tree.FirstChild[t] + 1 == reach));
        IEnumerable<int> Under(int t) => tree.IsLeaf(t) ? tree.LabelsOf(t) : Under(tree.FirstChild[t]).Concat(Under(tree.FirstChild[t] + 1));
        var reachLabels = Under(reach).ToArray();
        var leafLabels = tree.LabelsOf(leaf);
        if (negativeLevels > 0) Assert.True(reachLabels.Length > leafLabels.Count);
        var points = Enumerable.Range(0, Data.Train.NumPoints).Where(i => reachLabels.Any(l => Data.Train.Labels.Has(i, l))).ToArray();
        var x = Data.Train.Features.SelectRows(points);
        var y = points.Select(i => (sbyte)(Data.Train.Labels.Has(i, leafLabels[0]) ? 1 : -1)).ToArray();
        var lone = DualCoordinateDescent.Solve(x, y, options.Learner, XcNotebooks.Core.Seeds.Derive(XcNotebooks.Core.Seeds.Derive(options.Seed, leaf), 0));
        var stored = model.ClassifierWeights(ParabelModel.FirstColumn(model.Tree, leaf));
        // Parabel's pruning: weights below 0.1 are dropped.
        for (int j = 0; j < x.Cols; j++) Assert.Equal(Math.Abs((float)lone.Weights[j]) < 0.1f ? 0 : (float)lone.Weights[j], stored[j]);
        Assert.Contains(stored, w => w != 0);
    }

    [Fact]
    public void EnsembleScoresAreTheMeanOfItsTreesProbabilities()
    {
        // The reference: each tree trained alone with its member options, all of its beam's labels (k = every label),
        // probabilities exp(score) averaged over the trees (0 where a tree's beam misses the label), log, sorted.
        var options = Small with { Trees = 3 };
        var ensemble = Methods.Parabel.Parabel.Train(Data.Train, options);
        Assert.Equal(3, ensemble.Members.Count);
        var singles = Enumerable.Range(0, 3).Select(m => Methods.Parabel.Parabel.Train(Data.Train, Methods.Parabel.Parabel.MemberOptions(options, m))).ToArray();
        Assert.Equal(singles[0].TopK(Data.Test, 5).Scores, Methods.Parabel.Parabel.Train(Data.Train, Small).TopK(Data.Test, 5).Scores);
        Assert.NotEqual(singles[0].Tree.LeafLabels, singles[1].Tree.LeafLabels); // different seeds, different trees
        int all = Data.Train.NumLabels;
        var each = singles.Select(s => s.TopK(Data.Test.Features, all, options.Beam)).ToArray();
        const int k = 5;
        var got = ensemble.TopK(Data.Test, k);
        for (int i = 0; i < Data.Test.NumPoints; i++)
        {
            var sum = new Dictionary<int, double>();
            foreach (var e in each)
                for (int r = 0; r < all && e.Labels[i * all + r] >= 0; r++)
                    sum[e.Labels[i * all + r]] = sum.GetValueOrDefault(e.Labels[i * all + r]) + Math.Exp(e.Scores[i * all + r]) / 3;
            var expected = sum.Select(kv => (Label: kv.Key, Score: Math.Log(kv.Value))).OrderByDescending(e => e.Score).Take(k).ToArray();
            for (int r = 0; r < k; r++)
            {
                Assert.Equal(expected[r].Score, got.Scores[i * k + r], 1e-4);
                bool nearTie = (r > 0 && expected[r - 1].Score - expected[r].Score < 1e-4) || (r < k - 1 && expected[r].Score - expected[r + 1].Score < 1e-4);
                if (!nearTie) Assert.Equal(expected[r].Label, got.Labels[i * k + r]);
            }
        }
        // With a beam over every leaf of every tree, the ensemble's beam search is its exhaustive scoring.
        var exhaustive = ensemble.ExhaustiveTopK(Data.Test.Features, k);
        var full = ensemble.TopK(Data.Test.Features, k, ensemble.Members.Max(m => m.Tree.NumLeaves));
        for (int j = 0; j < exhaustive.Scores.Length; j++) Assert.Equal(exhaustive.Scores[j], full.Scores[j], 1e-4);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(10, 20)]
    [InlineData(2, 60)]
    public void EnsembleTopKIsTheFullCombinationOfItsTreesBeams(int beam, int k)
    {
        // The ensemble combines only the labels that can reach its top k (a bound from each tree's k best); the
        // reference combines every label of every tree's beam (each tree alone, k = every label), in double.
        var options = Small with { Trees = 3, LeafNegativeLevels = 1 };
        var ensemble = Methods.Parabel.Parabel.Train(Data.Train, options);
        int all = Data.Train.NumLabels;
        var each = ensemble.Members.Select(s => s.TopK(Data.Test.Features, all, beam)).ToArray();
        var got = ensemble.TopK(Data.Test.Features, k, beam);
        for (int i = 0; i < Data.Test.NumPoints; i++)
        {
            var sum = new Dictionary<int, double>();
            foreach (var e in each)
                for (int r = 0; r < all && e.Labels[i * all + r] >= 0; r++)
                    sum[e.Labels[i * all + r]] = sum.GetValueOrDefault(e.Labels[i * all + r]) + Math.Exp(e.Scores[i * all + r]) / 3;
            var expected = sum.Where(kv => kv.Value > 0).Select(kv => (Label: kv.Key, Score: Math.Log(kv.Value))).OrderByDescending(e => e.Score).Take(k).ToArray();
            for (int r = 0; r < k; r++)
            {
                if (r >= expected.Length)
                {
                    // Fewer labels in the beams than k: the rest of the row is empty.
                    Assert.Equal(-1, got.Labels[i * k + r]);
                    continue;
                }
                Assert.Equal(expected[r].Score, got.Scores[i * k + r], 1e-4);
                bool nearTie = (r > 0 && expected[r - 1].Score - expected[r].Score < 1e-4) || (r < expected.Length - 1 && expected[r].Score - expected[r + 1].Score < 1e-4);
                if (!nearTie) Assert.Equal(expected[r].Label, got.Labels[i * k + r]);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void PredictingAllPointsAtOnceEqualsPredictingEachAlone(int trees)
    {
        var model = Methods.Parabel.Parabel.Train(Data.Train, Small with { Trees = trees });
        const int k = 5;
        var batch = model.TopK(Data.Test.Features, k, beam: 3);
        for (int i = 0; i < Data.Test.NumPoints; i++)
        {
            var alone = model.TopK(Data.Test.Features.SelectRows([i]), k, beam: 3);
            Assert.Equal(batch.Labels.AsSpan(i * k, k).ToArray(), alone.Labels);
            Assert.Equal(batch.Scores.AsSpan(i * k, k).ToArray(), alone.Scores);
        }
    }

    [Fact]
    public void ALabelInTwoLeavesIsRejected()
    {
        var model = Methods.Parabel.Parabel.Train(Data.Train, Small);
        var tree = model.Tree;
        var leafLabels = tree.LeafLabels.ToArray();
        int first = Enumerable.Range(0, tree.NumNodes).First(tree.IsLeaf), second = Enumerable.Range(0, tree.NumNodes).Last(tree.IsLeaf);
        leafLabels[tree.LabelStart[second]] = leafLabels[tree.LabelStart[first]];
        var twice = tree with { LeafLabels = leafLabels };
        var e = Assert.Throws<ArgumentException>(() => new ParabelModel(model.NumLabels, model.NumFeatures, twice, model.FeatureStart, model.Features, model.Blocks, model.BiasWeights, model.Options));
        Assert.Contains("appears twice", e.Message);
    }

    [Fact]
    public void EnsembleSavesLoadsAndOldFormatsGetAClearError()
    {
        var model = Methods.Parabel.Parabel.Train(Data.Train, Small with { Trees = 2, LeafNegativeLevels = 1 });
        var path = Path.Combine(TestData.TempDir(), "ensemble.model");
        model.Save(path);
        var loaded = ParabelModel.Load(path);
        Assert.Equal(2, loaded.Members.Count);
        Assert.Equal(model.Options, loaded.Options);
        Assert.Equal(model.Members.Select(m => m.Options), loaded.Members.Select(m => m.Options));
        Assert.Equal(model.TopK(Data.Test, 5).Labels, loaded.TopK(Data.Test, 5).Labels);
        Assert.Equal(model.TopK(Data.Test, 5).Scores, loaded.TopK(Data.Test, 5).Scores);
        // A format-1 file (one tree, no count) is refused by name and version, not misread.
        ModelFile.Save(path, Methods.Parabel.Parabel.MethodName, 1, w => w.Write(0));
        var error = Assert.Throws<DataFormatException>(() => ParabelModel.Load(path));
        Assert.Contains("format version 1", error.Message);
    }

    [Fact]
    public void SaveLoadPredictsIdentically()
    {
        var model = Methods.Parabel.Parabel.Train(Data.Train, Small);
        var path = Path.Combine(TestData.TempDir(), "parabel.model");
        model.Save(path);
        var loaded = ParabelModel.Load(path);
        var before = model.TopK(Data.Test, 5);
        var after = loaded.TopK(Data.Test, 5);
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.Scores, after.Scores);
        Assert.Equal(model.Options, loaded.Options);
        File.WriteAllText(path, "not a model");
        Assert.Throws<DataFormatException>(() => ParabelModel.Load(path));
    }

    [Fact]
    public void OptionsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => new ParabelOptions { MaxLeafLabels = 1 }.Validate());
        Assert.Throws<ArgumentException>(() => new ParabelOptions { Beam = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new ParabelOptions { Trees = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new ParabelOptions { LeafNegativeLevels = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new ParabelOptions { Learner = new BinaryLearnerOptions { Cost = -1 } }.Validate());
    }
}
