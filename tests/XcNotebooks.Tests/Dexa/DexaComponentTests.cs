using XcNotebooks.Compute;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Neural;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Core;
using XcNotebooks.Methods.TwoTower;
using Xunit;

namespace XcNotebooks.Tests.DexaTests;

/// <summary>The pieces of DEXA against hand-computed or brute-force references.</summary>
public sealed class DexaComponentTests
{
    private readonly CpuBackend _b = new();

    /// <summary><paramref name="groups"/> tight groups of <paramref name="perGroup"/> points around orthogonal directions.</summary>
    private static (RowMajorMatrix Points, int[] Group) Groups(int groups, int perGroup, int dims, int seed)
    {
        var rng = new Random(seed);
        var points = new RowMajorMatrix(groups * perGroup, dims);
        var group = new int[points.Rows];
        for (int i = 0; i < points.Rows; i++)
        {
            group[i] = (i * 7 + 3) % groups; // interleaved, so that clusters are not runs of ids
            for (int j = 0; j < dims; j++) points[i, j] = (j == group[i] ? 1f : 0f) + 0.05f * (float)(rng.NextDouble() - 0.5);
        }
        return (points, group);
    }

    [Fact]
    public void BalancedClusteringSplitsIntoEqualHalvesOfSimilarPoints()
    {
        var (points, group) = Groups(4, 6, 4, 1);
        int pure = 0;
        for (int seed = 0; seed < 10; seed++)
        {
            var clusters = BalancedClustering.Cluster(points, 4, seed);
            Assert.Equal(4, clusters.Count);
            Assert.All(clusters, c => Assert.Equal(6, c.Length));
            Assert.Equal(Enumerable.Range(0, 24), clusters.SelectMany(c => c).Order());
            Assert.Equal(clusters, BalancedClustering.Cluster(points, 4, seed)); // seeded
            if (clusters.All(c => c.Select(i => group[i]).Distinct().Count() == 1)) pure++;
        }
        // A local method: two starting centroids drawn from one group can end in a mixed split (pyxclib's too), but
        // most starts recover the four groups.
        Assert.InRange(pure, 7, 10);
        // Uneven counts: sizes differ by at most one, targets round up to a power of two, members restrict the rows.
        var odd = BalancedClustering.Cluster(points, 3, seed: 2, members: Enumerable.Range(0, 11).ToArray());
        Assert.Equal(4, odd.Count);
        Assert.InRange(odd.Max(c => c.Length) - odd.Min(c => c.Length), 0, 1);
        Assert.Equal(Enumerable.Range(0, 11), odd.SelectMany(c => c).Order());
        // More clusters than points: every point alone, no endless splitting.
        Assert.Equal(3, BalancedClustering.Cluster(points, 16, seed: 1, members: [0, 5, 9]).Count);
    }

    [Fact]
    public void NgameBatchesHoldTheClustersOfSimilarPoints()
    {
        var (points, group) = Groups(8, 8, 8, 2);
        var batching = new NgameBatching(Enumerable.Range(0, 64).ToArray(), new NgameCurriculum(4, [2, 4], 1), seed: 5);
        Assert.Equal(16, batching.NumClusters); // 2^⌈log2(64/4)⌉
        Assert.False(batching.ShouldRefresh(1));
        // Before the curriculum starts: singletons, a plain shuffle.
        var first = batching.Batches(0, 8);
        Assert.Equal(8, first.Count);
        Assert.Equal(Enumerable.Range(0, 64), first.SelectMany(b => b).Order());
        batching.EndEpoch();
        Assert.Equal(16, batching.NumClusters);
        batching.EndEpoch(); // the end of epoch 1: epoch 2 is in the curriculum, clusters double in size
        Assert.Equal(8, batching.NumClusters);
        Assert.True(batching.ShouldRefresh(2));
        batching.Refresh(points);
        Assert.Equal(8, batching.Clusters.Count);
        var batches = batching.Batches(2, 8);
        Assert.Equal(8, batches.Count);
        foreach (var batch in batches)
        {
            Assert.Contains(batching.Clusters, c => c.SequenceEqual(batch)); // a batch is exactly one cluster ...
            Assert.Single(batch.Select(i => group[i]).Distinct());        // ... of similar points
        }
        // Batches of two clusters hold two whole clusters; another epoch shuffles the clusters, not their points.
        var pairs = batching.Batches(3, 16);
        Assert.All(pairs, b => Assert.Equal(2, batching.Clusters.Count(c => c.All(b.Contains))));
        Assert.NotEqual(batching.Batches(3, 8).Select(b => b[0]), batches.Select(b => b[0]));
    }

    [Fact]
    public void AuxiliaryVectorsGetGradientOnlyThroughTheirLabels()
    {
        // Labels 0..5 map to vectors [0, 0, 1, 2, 2, 3].
        var table = new RowMajorMatrix(4, 3, Numbers.Uniform(1, 12));
        using var aux = AuxiliaryVectors.FromValues(_b, table, [0, 0, 1, 2, 2, 3], headVectors: 0);
        int[] labels = [1, 4, 3, 1];
        using var rows = aux.RowsOf(labels);
        using var embeddings = _b.Upload(new float[12], 4, 3);
        aux.Add(rows, embeddings);
        var added = embeddings.ToArray();
        int[] vectorOf = [0, 2, 2, 0];
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < 3; j++) Assert.Equal(table[vectorOf[r], j], added[r * 3 + j]);

        var g = Numbers.Uniform(2, 12);
        using var gradient = _b.Upload(g, 4, 3);
        aux.Table.ZeroGradient();
        aux.Backward(rows, gradient);
        var grad = aux.Table.Gradient.ToArray();
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(g[0 * 3 + j] + g[3 * 3 + j], grad[0 * 3 + j], 6);  // labels 1 and 1 (vector 0)
            Assert.Equal(0f, grad[1 * 3 + j]);                              // label 2 is not in the batch
            Assert.Equal(g[1 * 3 + j] + g[2 * 3 + j], grad[2 * 3 + j], 6);  // labels 4 and 3 share vector 2
            Assert.Equal(0f, grad[3 * 3 + j]);
        }
        Assert.Equal([0, 2], aux.Table.TouchedRows.Order());
        // A lazy Adam step moves exactly those vectors.
        using var adam = new Adam([aux.Table], new AdamOptions { LearningRate = 0.1f });
        var before = aux.Values();
        adam.Step();
        var after = aux.Values();
        for (int v = 0; v < 4; v++)
            Assert.Equal(v is 0 or 2, !before.Row(v).SequenceEqual(after.Row(v)));
    }

    [Fact]
    public void HeadLabelsOwnAVectorAndTailLabelsShareClusterVectors()
    {
        var (points, group) = Groups(2, 4, 2, 3);     // 8 labels in two direction groups: odd and even ids
        int[] counts = [9, 7, 1, 2, 2, 1, 3, 1];       // labels 0 and 1 are the two most frequent
        using var aux = AuxiliaryVectors.Create(_b, points, counts, headVectors: 2, clusterVectors: 2, seed: 4);
        Assert.Equal(4, aux.Count);
        Assert.Equal(0, aux.LabelToVector[1]);          // head vectors in increasing frequency: 1 (7) then 0 (9)
        Assert.Equal(1, aux.LabelToVector[0]);
        var tail = new[] { 2, 3, 4, 5, 6, 7 };
        Assert.All(tail, l => Assert.InRange(aux.LabelToVector[l], 2, 3));
        foreach (var l in tail) // tail labels share a vector exactly when they are in the same direction group
            foreach (var m in tail) Assert.Equal(group[l] == group[m], aux.LabelToVector[l] == aux.LabelToVector[m]);
        // Xavier uniform: |a| ≤ √(6 / (4 + 2)).
        Assert.All(aux.Values().Data, v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void FusionTreeFindsTheSplitsOfARuleAndRoundTrips()
    {
        var rng = new Random(3);
        var samples = new RowMajorMatrix(200, 3);
        var targets = new bool[200];
        for (int i = 0; i < 200; i++)
        {
            for (int j = 0; j < 3; j++) samples[i, j] = (float)rng.NextDouble();
            targets[i] = samples[i, 0] > 0.6 && samples[i, 1] <= 0.3;
        }
        var tree = FusionTree.Fit(samples, targets, maxDepth: 7);
        Assert.InRange(tree.Depth, 2, 3); // greedy: the root may cut inside a rectangle side, one more level fixes it
        for (int i = 0; i < 200; i++) Assert.Equal(targets[i] ? 1.0 : 0.0, tree.Predict(samples.RowArray(i)));
        Assert.Equal(1.0, tree.Predict([0.9f, 0.1f, 0.5f]));
        Assert.Equal(0.0, tree.Predict([0.1f, 0.1f, 0.5f]));
        // Depth 0: one leaf predicting the share of positives.
        Assert.Equal(targets.Count(t => t) / 200.0, FusionTree.Fit(samples, targets, maxDepth: 0).Predict([0.9f, 0.1f, 0.5f]), 12);
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) tree.Write(w);
        stream.Position = 0;
        var read = FusionTree.Read(new BinaryReader(stream), "tree");
        for (int i = 0; i < 200; i++) Assert.Equal(tree.Predict(samples.RowArray(i)), read.Predict(samples.RowArray(i)));
    }

    [Fact]
    public void FusionTreeSplitMatchesBruteForceGini()
    {
        // One feature, labels with noise: the root's threshold is the midpoint with the lowest weighted gini.
        float[] x = [0.1f, 0.2f, 0.35f, 0.4f, 0.55f, 0.6f, 0.8f, 0.9f];
        bool[] y = [false, false, true, false, true, true, true, false];
        var tree = FusionTree.Fit(new RowMajorMatrix(8, 1, x), y, maxDepth: 1);
        double Gini(IEnumerable<bool> s) { var a = s.ToArray(); if (a.Length == 0) return 0; double p = a.Count(v => v) / (double)a.Length; return 2 * p * (1 - p); }
        var best = Enumerable.Range(1, 7).Select(k => (k, cost: k * Gini(y[..k]) + (8 - k) * Gini(y[k..]))).OrderBy(t => t.cost).First().k;
        float threshold = (x[best - 1] + x[best]) / 2;
        double leftShare = y[..best].Count(v => v) / (double)best, rightShare = y[best..].Count(v => v) / (double)(8 - best);
        Assert.Equal(leftShare, tree.Predict([threshold - 1e-4f]), 12);
        Assert.Equal(rightShare, tree.Predict([threshold + 1e-4f]), 12);
    }

    [Fact]
    public void ScoreFusionAddsTheTreeProbabilityToBothScores()
    {
        // Classifier shortlist {0: .9, 1: .2}, embedding shortlist {1: .5, 2: .4}; a tree fitted on one positive.
        var clf = new XcNotebooks.Core.TopKPredictions(1, 2, [0, 1], [0.9f, 0.2f]);
        var knn = new XcNotebooks.Core.TopKPredictions(1, 2, [1, 2], [0.5f, 0.4f]);
        var truth = LabelMatrix.FromLabelSets([[0]], 3);
        var fusion = ScoreFusion.Fit(clf, knn, truth, [1.0, 2.0, 3.0], new FusionOptions { Beta = 0.5 }, seed: 1);
        var fused = fusion.Fuse(clf, knn, 3);
        // Label 0: P = 1 (tree on clf .9 vs .2), no knn: .5·(1 + 0) + .9; label 1: P = 0: .5·(0 + .5) + .2; label 2: knn only: .5·.4.
        Assert.Equal([0, 1, 2], fused.RowIndices(0).ToArray());
        Numbers.Close([1.4f, 0.45f, 0.2f], fused.RowValues(0).ToArray(), 1e-6, "fused");
        var sum = ScoreFusion.WeightedSum(new FusionOptions { ClassifierWeight = 0.25 }, [1, 1, 1]).Fuse(clf, knn, 3);
        Numbers.Close([0.225f, 0.425f, 0.3f], sum.RowValues(0).ToArray(), 1e-6, "weighted sum");
    }

    [Fact]
    public void LinearWarmupScheduleRisesThenFalls()
    {
        var s = new LinearWarmupSchedule(1f, 4, 10);
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f, 5f / 6, 4f / 6, 0.5f, 2f / 6, 1f / 6, 0f, 0f], Enumerable.Range(0, 12).Select(s.At), new FloatTolerance());
    }

    private sealed class FloatTolerance : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) < 1e-6;
        public int GetHashCode(float v) => 0;
    }
}

/// <summary>The exact label index on both backends against a brute-force ranking.</summary>
[Collection("backends")]
public sealed class ExactLabelIndexTests(BackendFixture backends)
{
    [Fact]
    public void SearchRanksLabelsByCosineOnEveryBackend()
    {
        var labels = new RowMajorMatrix(9, 5, Numbers.Uniform(1, 45));
        var queries = new RowMajorMatrix(7, 5, Numbers.Uniform(2, 35));
        foreach (var backend in backends.Both)
        {
            using var index = new ExactLabelIndex(backend, labels, queryChunk: 3);
            var found = index.Search(queries, 4);
            for (int i = 0; i < queries.Rows; i++)
            {
                var expected = Enumerable.Range(0, 9).Select(l => (l, cos: Cosine(queries.Row(i), labels.Row(l))))
                    .OrderByDescending(t => t.cos).ThenBy(t => t.l).Take(4).ToArray();
                Assert.Equal(expected.Select(t => t.l), found.LabelsOf(i).ToArray());
                Numbers.Close(expected.Select(t => t.cos).ToArray(), found.ScoresOf(i).ToArray(), 1e-5, $"{backend.Name} row {i}");
            }
            var padded = index.Search(queries, 12); // more than there are labels: padding
            Assert.Equal(-1, padded.LabelsOf(0)[11]);
        }
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int j = 0; j < a.Length; j++) { dot += a[j] * b[j]; na += a[j] * a[j]; nb += b[j] * b[j]; }
        return dot / Math.Sqrt(na * nb);
    }
}
