using System.IO.Compression;
using XcNotebooks.Core;
using XcNotebooks.Synthetic;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class SyntheticXcTests
{
    private static readonly SyntheticXcOptions Small = new() { NumLabels = 27, Branching = 3, NumFeatures = 400, NumTrain = 900, NumHeldout = 100, NumTest = 300, Seed = 5 };

    [Fact]
    public void SameSeedSameDataOtherSeedOtherData()
    {
        var a = SyntheticXc.Generate(Small);
        var b = SyntheticXc.Generate(Small);
        var c = SyntheticXc.Generate(Small with { Seed = 6 });
        foreach (var (x, y) in a.All.Zip(b.All))
        {
            RandomData.AssertSame(x.Features, y.Features);
            RandomData.AssertSame(x.Labels.Matrix, y.Labels.Matrix);
            Assert.Equal(x.Texts, y.Texts);
        }
        Assert.NotEqual(a.Train.Features.ColumnIndices, c.Train.Features.ColumnIndices);
    }

    [Fact]
    public void MultiClassSplitsHaveTheAskedShapeAndEveryLabelIsTrained()
    {
        var s = SyntheticXc.Generate(Small);
        Assert.Equal((900, 100, 300), (s.Train.NumPoints, s.Heldout!.NumPoints, s.Test.NumPoints));
        Assert.All(s.All, d => Assert.True(d.Labels.IsMultiClass));
        Assert.All(s.All, d => Assert.Equal(400, d.NumFeatures));
        Assert.All(s.Train.Labels.LabelCounts(), c => Assert.True(c >= Small.MinTrainPointsPerLabel));
        // Rows are unit length up to the 4-decimal rounding.
        for (int i = 0; i < s.Train.NumPoints; i++)
        {
            var v = s.Train.Features.RowValues(i).ToArray();
            Assert.InRange(Math.Sqrt(v.Sum(x => (double)x * x)), 0.99, 1.01);
        }
        s.Train.Validate();
    }

    [Fact]
    public void LabelFrequenciesFollowThePowerLaw()
    {
        var o = Small with { NumTrain = 20000, NumLabels = 30, MinTrainPointsPerLabel = 0 };
        var counts = SyntheticXc.Generate(o).Train.Labels.LabelCounts().Select(c => (double)c).OrderDescending().ToArray();
        // Rank r has probability (r+1)^-1 / H_30; the sorted counts must follow it closely.
        double h = Enumerable.Range(1, 30).Sum(r => 1.0 / r);
        for (int r = 0; r < 30; r++)
        {
            double expected = o.NumTrain / (r + 1) / h;
            Assert.InRange(counts[r], expected - 5 * Math.Sqrt(expected) - 3, expected + 5 * Math.Sqrt(expected) + 3);
        }
    }

    [Fact]
    public void HiddenTreeIsABalancedTreeWithLabelsAtTheLeaves()
    {
        var tree = SyntheticXc.HiddenTree(Small);
        Assert.Equal(-1, tree.Parents[0]);
        Assert.Equal(1 + 3 + 9 + 27, tree.NumNodes); // 27 labels, branching 3: a complete tree of depth 3
        Assert.Equal(27, tree.LabelNodes.Distinct().Count());
        Assert.All(tree.LabelNodes, leaf => Assert.Equal(3, tree.PathTo(leaf).Count));
        Assert.All(tree.LabelNodes, leaf => Assert.DoesNotContain(leaf, tree.Parents));
        for (int v = 1; v < tree.NumNodes; v++) Assert.True(tree.Parents[v] < v); // breadth-first ids
        // Label ids are shuffled: siblings are not simply consecutive ids.
        Assert.Contains(Enumerable.Range(0, 26), l => tree.CommonDepth(l, l + 1) == 0);
    }

    [Fact]
    public void HiddenTreeAsHierarchyKeepsAncestryAndMakesSubtreesContiguousInPreOrder()
    {
        var tree = SyntheticXc.HiddenTree(Small);
        var names = Enumerable.Range(0, 27).Select(l => $"label {l}").ToArray();
        var hierarchy = tree.ToHierarchy(names);

        Assert.True(hierarchy.IsTree);
        Assert.False(hierarchy.HasVirtualRoot);
        Assert.Equal((27, 40), (hierarchy.NumLabels, hierarchy.NumNodes));
        Assert.Equal("t0", hierarchy.NodeName(hierarchy.Root));
        Assert.Equal("label 5", hierarchy.NodeName(5));
        Assert.All(Enumerable.Range(0, 27), l => Assert.True(hierarchy.IsLeaf(l) && hierarchy.Depth(l) == 3));
        // The depth of the lowest common ancestor of every pair is the hidden tree's common depth.
        var parent = hierarchy.ParentList();
        List<int> Ancestry(int v) { var path = new List<int>(); for (; v >= 0; v = parent[v]) path.Insert(0, v); return path; }
        for (int a = 0; a < 27; a++)
            for (int b = a + 1; b < 27; b++)
            {
                var (pa, pb) = (Ancestry(a), Ancestry(b));
                int shared = pa.Zip(pb).TakeWhile(p => p.First == p.Second).Count();
                Assert.Equal(tree.CommonDepth(a, b), shared - 1);
            }
        // Each inner node's labels form one run of the pre-order (what the similarity assignment relies on).
        var order = hierarchy.LabelsInPreOrder.ToList();
        for (int v = 27; v < hierarchy.NumNodes; v++)
        {
            var positions = hierarchy.LabelsBelow(v).Select(l => order.IndexOf(l)).Order().ToArray();
            Assert.Equal(positions[^1] - positions[0] + 1, positions.Length);
        }
    }

    [Fact]
    public void UnbalancedHiddenTreeConvertsAndLabelNamesAreChecked()
    {
        var options = Small with { NumLabels = 10, Branching = 4, NumTrain = 100 };
        var tree = SyntheticXc.HiddenTree(options);
        var hierarchy = tree.ToHierarchy();
        Assert.Equal(tree.NumNodes, hierarchy.NumNodes);
        Assert.Equal("c3", hierarchy.NodeName(3));
        Assert.All(Enumerable.Range(0, 10), l => Assert.Equal(tree.PathTo(tree.LabelNodes[l]).Count, hierarchy.Depth(l)));
        Assert.Equal(10, hierarchy.LabelsInPreOrder.Distinct().Count());
        Assert.Throws<ArgumentException>(() => tree.ToHierarchy(["a", "b"]));
    }

    [Fact]
    public void LabelsInTheSameSubtreeHaveMoreSimilarFeatures()
    {
        var s = SyntheticXc.Generate(Small);
        var tree = SyntheticXc.HiddenTree(Small);
        var centroids = Centroids(s.Train);
        var byDepth = new Dictionary<int, List<double>>();
        for (int a = 0; a < 27; a++)
            for (int b = a + 1; b < 27; b++)
            {
                int d = tree.CommonDepth(a, b);
                if (!byDepth.TryGetValue(d, out var list)) byDepth[d] = list = [];
                list.Add(Cosine(centroids[a], centroids[b]));
            }
        // Siblings (common depth 2) > cousins (1) > unrelated (0).
        Assert.True(byDepth[2].Average() > byDepth[1].Average() + 0.05, $"{byDepth[2].Average()} vs {byDepth[1].Average()}");
        Assert.True(byDepth[1].Average() > byDepth[0].Average() + 0.05, $"{byDepth[1].Average()} vs {byDepth[0].Average()}");
    }

    [Fact]
    public void DefaultIsLearnableByALinearModelWellAboveChance()
    {
        var s = EmbeddedData.Default();
        Assert.Equal(64, s.Train.NumLabels);
        var centroids = Centroids(s.Train);
        int correct = 0;
        for (int i = 0; i < s.Test.NumPoints; i++)
        {
            var x = s.Test.Features.RowEntries(i);
            int best = Enumerable.Range(0, 64).MaxBy(l => x.Sum(e => e.Value * centroids[l][e.Column]));
            if (s.Test.Labels.Has(i, best)) correct++;
        }
        double accuracy = (double)correct / s.Test.NumPoints;
        Assert.InRange(accuracy, 0.6, 0.97); // chance is 1/64; not trivially separable either
    }

    [Fact]
    public void DefaultWithHeldoutKeepsTrainAndTestAndAddsAFreshSplit()
    {
        var plain = EmbeddedData.Default();
        var withHeldout = EmbeddedData.Default(heldoutPoints: 150);

        Assert.Equal(150, withHeldout.Heldout!.NumPoints);
        foreach (var (a, b) in new[] { (plain.Train, withHeldout.Train), (plain.Test, withHeldout.Test) })
        {
            Assert.Equal(a.Features.RowPointers, b.Features.RowPointers);
            Assert.Equal(a.Features.ColumnIndices, b.Features.ColumnIndices);
            Assert.Equal(a.Features.Values, b.Features.Values);
            Assert.Equal(a.Labels.Classes(), b.Labels.Classes());
        }
        Assert.True(withHeldout.Heldout.Labels.IsMultiClass);
        Assert.Equal(plain.Train.NumFeatures, withHeldout.Heldout.NumFeatures);
        // Not a copy of the first test points.
        Assert.NotEqual(plain.Test.Labels.Classes()[..150], withHeldout.Heldout.Labels.Classes());
        Assert.Throws<ArgumentException>(() => EmbeddedData.Default(heldoutPoints: 0));
    }

    [Fact]
    public void MultiLabelPointsCarryRelatedLabels()
    {
        var o = Small with { MultiLabel = true, MeanLabelsPerPoint = 3 };
        var s = SyntheticXc.Generate(o);
        var tree = SyntheticXc.HiddenTree(o);
        Assert.InRange(s.Train.Labels.LabelsPerPoint, 2.6, 3.4);
        Assert.False(s.Train.Labels.IsMultiClass);
        int related = 0, pairs = 0;
        for (int i = 0; i < s.Train.NumPoints; i++)
        {
            var labels = s.Train.Labels.LabelArray(i);
            for (int a = 0; a < labels.Length; a++)
                for (int b = a + 1; b < labels.Length; b++, pairs++)
                    if (tree.CommonDepth(labels[a], labels[b]) >= 1) related++;
        }
        // At random, two of 27 labels share a top-level subtree with probability 8/26 (about 0.31).
        Assert.True((double)related / pairs > 0.6, $"{related} of {pairs} label pairs share a subtree");
    }

    [Fact]
    public void TextsAreTheTokensAndLabelTextsUseThePathWords()
    {
        var s = SyntheticXc.Generate(Small);
        // Each feature is one word, so a text has as many distinct words as its row has features.
        for (int i = 0; i < 50; i++)
            Assert.Equal(s.Train.Features.RowLength(i), s.Train.Texts![i].Split(' ').Distinct().Count());
        // Words of a label's text show up in its training points' texts far more often than in others'.
        var words = s.Train.LabelTexts![0].Split(' ').ToHashSet();
        double Share(Func<int, bool> which)
        {
            var rows = Enumerable.Range(0, s.Train.NumPoints).Where(which).ToArray();
            return rows.Average(i => s.Train.Texts![i].Split(' ').Count(words.Contains));
        }
        Assert.True(Share(i => s.Train.Labels.Has(i, 0)) > 3 * Share(i => !s.Train.Labels.Has(i, 0)));
        Assert.Equal(27, s.Train.LabelTexts.Distinct().Count());
        Assert.Null(SyntheticXc.Generate(Small with { Texts = false }).Train.Texts);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        Assert.Contains("NumLabels", Assert.Throws<ArgumentException>(() => SyntheticXc.Generate(Small with { NumLabels = 1 })).Message);
        Assert.Contains("MinTrainPointsPerLabel", Assert.Throws<ArgumentException>(() => SyntheticXc.Generate(Small with { NumTrain = 10 })).Message);
        Assert.Contains("NoiseRate", Assert.Throws<ArgumentException>(() => SyntheticXc.Generate(Small with { NoiseRate = 1.5 })).Message);
    }

    [Fact]
    public void CommittedDataFilesEqualARegeneration()
    {
        var dir = TestData.TempDir();
        var fresh = EmbeddedData.WriteFiles(dir);
        foreach (var path in fresh)
        {
            var committed = Path.Combine(TestData.RepoRoot, "data", Path.GetFileName(path));
            Assert.True(File.Exists(committed), $"{committed} is missing: run EmbeddedData.WriteFiles(\"data\")");
            // Compare the decompressed bytes: gzip output may differ between zlib builds, the content may not.
            Assert.True(Unzip(path).AsSpan().SequenceEqual(Unzip(committed)), $"{committed} differs from a regeneration");
        }
    }

    private static byte[] Unzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return memory.ToArray();
    }

    private static double[][] Centroids(Dataset d)
    {
        var c = Enumerable.Range(0, d.NumLabels).Select(_ => new double[d.NumFeatures]).ToArray();
        for (int i = 0; i < d.NumPoints; i++)
            foreach (var l in d.Labels.LabelArray(i))
                foreach (var (f, v) in d.Features.RowEntries(i)) c[l][f] += v;
        foreach (var v in c)
        {
            double n = Math.Sqrt(v.Sum(x => x * x));
            for (int j = 0; j < v.Length; j++) v[j] /= n;
        }
        return c;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++) sum += a[j] * b[j];
        return sum;
    }

    private static double Cosine(double[] a, double[] b) => Dot(a, b) / Math.Sqrt(Dot(a, a) * Dot(b, b));
}
