using XcNotebooks.Core;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Text;
using Xunit;

namespace XcNotebooks.Tests.DexaTests;

/// <summary>DEXA's sparse score source (TF-IDF label centroids) and its place in the score fusion.</summary>
public sealed class SparseFusionTests
{
    private static readonly string[] Texts =
    [
        "red apple fruit sweet", "green apple fruit sour", "yellow banana fruit", "fast red car engine",
        "blue car engine wheels", "old bicycle wheels", "fresh fruit salad apple banana",
    ];

    private static readonly string[] LabelTexts = ["fruit: sweet food from plants", "vehicle: a car or bicycle", "salad: a cold dish", "unused label"];

    private static LabelMatrix Labels => LabelMatrix.FromLabelSets([[0], [0], [0], [1], [1], [1], [0, 2]], 4);

    [Fact]
    public void CentroidScoresAreBruteForceCosinesOfSummedTfidfRows()
    {
        const double w = 0.7;
        var sparse = TfidfCentroids.Fit(Texts, Labels, LabelTexts, w);
        // The reference: dense TF-IDF rows from a vectorizer fitted on the same texts, summed per label by hand.
        var vectorizer = TfidfVectorizer.Fit([.. Texts, .. LabelTexts]);
        var x = vectorizer.Transform(Texts).ToDense();
        var t = vectorizer.Transform(LabelTexts).ToDense();
        int v = x.GetLength(1);
        var queries = new[] { "sweet apple", "car wheels", "cold salad dish", "nothing known here" };
        var q = vectorizer.Transform(queries).ToDense();
        var docs = sparse.Transform(queries);
        for (int l = 0; l < 4; l++)
        {
            var c = new double[v];
            for (int i = 0; i < Texts.Length; i++)
                if (Labels.Has(i, l))
                    for (int j = 0; j < v; j++) c[j] += x[i, j];
            for (int j = 0; j < v; j++) c[j] += w * t[l, j];
            double norm = Math.Sqrt(c.Sum(a => a * a));
            for (int i = 0; i < queries.Length; i++)
            {
                double dot = 0;
                for (int j = 0; j < v; j++) dot += q[i, j] * c[j];
                Assert.Equal(dot / norm, sparse.Score(docs, i, l), 5);
            }
        }
        Assert.True(sparse.Score(docs, 0, 0) > sparse.Score(docs, 0, 1));
        Assert.Equal(0f, sparse.Score(docs, 3, 0)); // no shared term
        // The unused label's centroid is its text's row alone.
        Assert.Equal(sparse.Centroids.RowLength(3), vectorizer.Transform([LabelTexts[3]]).RowLength(0));
    }

    [Fact]
    public void ShortlistScoresCoverTheUnionOfBothShortlistsOnly()
    {
        var sparse = TfidfCentroids.Fit(Texts, Labels, LabelTexts);
        var docs = sparse.Transform(["red apple", "car"]);
        var first = new TopKPredictions(2, 2, [0, 2, 1, -1], [0.9f, 0.1f, 0.5f, 0f]);
        var second = new TopKPredictions(2, 2, [2, 3, 1, 0], [0.3f, 0.2f, 0.4f, 0.1f]);
        var scores = sparse.ScoreShortlists(docs, first, second);
        Assert.Equal([0, 2, 3], scores.RowIndices(0).ToArray());
        Assert.Equal([0, 1], scores.RowIndices(1).ToArray());
        for (int i = 0; i < 2; i++)
            foreach (var (l, s) in scores.RowEntries(i)) Assert.Equal(sparse.Score(docs, i, l), s);
    }

    [Fact]
    public void TheSparseScoreIsATreeFeatureAndAWeightedTerm()
    {
        // Classifier shortlist {0: .9, 1: .2}, embedding shortlist {1: .5, 2: .4}, sparse scores {0: .3, 1: .1, 2: .6}.
        var clf = new TopKPredictions(1, 2, [0, 1], [0.9f, 0.2f]);
        var knn = new TopKPredictions(1, 2, [1, 2], [0.5f, 0.4f]);
        var sp = CsrMatrix.FromRows(3, [[(0, 0.3f), (1, 0.1f), (2, 0.6f)]]);
        var truth = LabelMatrix.FromLabelSets([[0]], 3);
        var fusion = ScoreFusion.Fit(clf, knn, truth, [1.0, 2.0, 3.0], new FusionOptions { Beta = 0.5, SparseWeight = 2 }, seed: 1, sparse: sp);
        Assert.Equal(4, fusion.Tree!.FeatureCount);
        var fused = fusion.Fuse(clf, knn, 3, sp);
        // Label 0: P = 1: .5·(1 + 0) + .9 + 2·.3; label 1: P = 0: .5·(0 + .5) + .2 + 2·.1; label 2 (knn only): .5·.4 + 2·.6.
        Assert.Equal([0, 1, 2], fused.RowIndices(0).ToArray());
        Numbers.Close([2.0f, 0.65f, 1.4f], fused.RowValues(0).ToArray(), 1e-6, "fused");
        Assert.Throws<ArgumentException>(() => fusion.Fuse(clf, knn, 3));
        // The weighted sum adds γ S_sp as well: .25·clf + .75·knn + 2·sp.
        var sum = ScoreFusion.WeightedSum(new FusionOptions { ClassifierWeight = 0.25, SparseWeight = 2 }, [1, 1, 1]).Fuse(clf, knn, 3, sp);
        Numbers.Close([0.825f, 0.625f, 1.5f], sum.RowValues(0).ToArray(), 1e-6, "weighted sum");
    }

    [Fact]
    public void TheSparseWeightIsTheSmallestOfTheGridWithTheMostTopHits()
    {
        // Random shortlists of 40 points over 12 labels, with sparse scores that know the truth half the time.
        var rng = new Random(5);
        int n = 40, k = 4, labels = 12;
        var truth = LabelMatrix.FromClasses([.. Enumerable.Range(0, n).Select(_ => rng.Next(labels))], labels);
        TopKPredictions Shortlist()
        {
            var ids = new int[n * k];
            var scores = new float[n * k];
            for (int i = 0; i < n; i++)
            {
                var pick = Enumerable.Range(0, labels).OrderBy(_ => rng.Next()).Take(k).ToArray();
                if (rng.Next(2) == 0 && !pick.Contains(truth.LabelsOf(i)[0])) pick[k - 1] = truth.LabelsOf(i)[0];
                for (int r = 0; r < k; r++) (ids[i * k + r], scores[i * k + r]) = (pick[r], (float)rng.NextDouble());
            }
            return new TopKPredictions(n, k, ids, scores);
        }
        var clf = Shortlist();
        var knn = Shortlist();
        var rows = new List<(int, float)[]>();
        for (int i = 0; i < n; i++)
        {
            var union = clf.LabelsOf(i).ToArray().Concat(knn.LabelsOf(i).ToArray()).Distinct().Order();
            rows.Add([.. union.Select(l => (l, (float)rng.NextDouble() + (truth.Has(i, l) && i % 2 == 0 ? 0.8f : 0f)))]);
        }
        var sp = CsrMatrix.FromRows(labels, rows);
        var ips = Enumerable.Repeat(1.0, labels).ToArray();
        double[] grid = [0, 0.5, 1, 4, 16];
        var options = new FusionOptions { MaxDepth = 1, SparseWeightGrid = grid };
        var chosen = ScoreFusion.Fit(clf, knn, truth, ips, options, seed: 3, sparse: sp).Options.SparseWeight!.Value;
        // The reference: every γ fixed in turn, P@1 counted from the fused matrix.
        int Hits(double gamma)
        {
            var fused = ScoreFusion.Fit(clf, knn, truth, ips, options with { SparseWeight = gamma }, seed: 3, sparse: sp).Fuse(clf, knn, labels, sp);
            return TopKPredictions.FromSparseScores(fused, 1).Labels.Where((l, i) => truth.Has(i, l)).Count();
        }
        var hits = grid.Select(Hits).ToArray();
        Assert.Equal(grid[Array.IndexOf(hits, hits.Max())], chosen);
        Assert.True(hits.Max() > hits[0], $"the sparse term should help here: {string.Join(", ", hits)}");
    }
}
