using XcNotebooks.Metrics;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Metrics;

/// <summary>
/// XcMetrics against a deliberately naive implementation of the formulas of encoders-detailed.md §4.4 (pyxclib), on
/// seeded random truth and rankings: empty truth rows, short (padded) rankings and graded relevances included.
/// </summary>
public class BruteForceMetricsTests
{
    private sealed record Case(int N, int L, int K, double[][] Y, int[][] Ranking, double[] W);

    private static Case Random(int seed, bool graded)
    {
        var rng = new Random(seed);
        int n = 60, l = 25, k = 7;
        var y = new double[n][];
        var ranking = new int[n][];
        for (int i = 0; i < n; i++)
        {
            y[i] = new double[l];
            int numTrue = rng.Next(0, 6); // 0 to 5 labels: some points have none
            for (int t = 0; t < numTrue; t++) y[i][rng.Next(l)] = graded ? 0.25 * rng.Next(1, 5) : 1;
            // A ranking of up to k distinct labels; some rows shorter than k (padding).
            ranking[i] = Enumerable.Range(0, l).OrderBy(_ => rng.Next()).Take(rng.Next(k - 3, k + 1)).ToArray();
        }
        // Training label counts for the propensities, independent of the test truth.
        int trainN = 200;
        var counts = Enumerable.Range(0, l).Select(_ => (double)rng.Next(0, 40)).ToArray();
        double a = 0.55, b = 1.5, c = (Math.Log(trainN) - 1) * Math.Pow(b + 1, a);
        var w = counts.Select(nl => 1 + c * Math.Pow(nl + b, -a)).ToArray();
        return new Case(n, l, k, y, ranking, w);
    }

    private static double Discount(int rank) => 1 / Math.Log2(rank + 2); // rank 0-based

    private static double Idcg(int numTrue, int k)
    {
        // pyxclib: sum over the first min(k, |y|) positions; a point without labels uses c_k (it adds 0 anyway).
        int m = numTrue == 0 ? k : Math.Min(k, numTrue);
        double s = 0;
        for (int r = 0; r < m; r++) s += Discount(r);
        return s;
    }

    private static double Y(Case t, int i, int r) => r < t.Ranking[i].Length ? t.Y[i][t.Ranking[i][r]] : 0;

    private static double P(Case t, int k) =>
        Enumerable.Range(0, t.N).Average(i => Enumerable.Range(0, k).Sum(r => Y(t, i, r)) / k);

    private static double Ndcg(Case t, int k) =>
        Enumerable.Range(0, t.N).Average(i =>
            Enumerable.Range(0, k).Sum(r => Y(t, i, r) * Discount(r)) / Idcg(t.Y[i].Count(v => v > 0), k));

    private static double Recall(Case t, int k) =>
        Enumerable.Range(0, t.N).Average(i => Enumerable.Range(0, k).Sum(r => Y(t, i, r)) / Math.Max(1, t.Y[i].Count(v => v > 0)));

    /// <summary>The best ordering: the point's true labels by w*y, descending.</summary>
    private static double[] Ideal(Case t, int i) =>
        Enumerable.Range(0, t.L).Where(l => t.Y[i][l] > 0).Select(l => t.W[l] * t.Y[i][l]).OrderDescending().ToArray();

    private static double WeightedGain(Case t, int i, int r) => r < t.Ranking[i].Length ? t.W[t.Ranking[i][r]] * t.Y[i][t.Ranking[i][r]] : 0;

    private static double Psp(Case t, int k)
    {
        double num = 0, den = 0;
        for (int i = 0; i < t.N; i++)
        {
            var ideal = Ideal(t, i);
            num += Enumerable.Range(0, k).Sum(r => WeightedGain(t, i, r)) / k;
            den += ideal.Take(k).Sum() / k;
        }
        return num / den;
    }

    private static double PsNdcg(Case t, int k)
    {
        double num = 0, den = 0;
        for (int i = 0; i < t.N; i++)
        {
            var ideal = Ideal(t, i);
            double idcg = Idcg(t.Y[i].Count(v => v > 0), k);
            num += Enumerable.Range(0, k).Sum(r => WeightedGain(t, i, r) * Discount(r)) / idcg;
            den += ideal.Take(k).Select((g, r) => g * Discount(r)).Sum() / idcg;
        }
        return num / den;
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void EveryMetricMatchesTheFormulas(int seed, bool graded)
    {
        var t = Random(seed, graded);
        var truth = new LabelMatrix(CsrMatrix.FromRows(t.L,
            t.Y.Select(row => row.Select((v, l) => (l, (float)v)).Where(e => e.Item2 > 0))));
        var labels = new int[t.N * t.K];
        var scores = new float[t.N * t.K];
        Array.Fill(labels, -1);
        Array.Fill(scores, float.NegativeInfinity);
        for (int i = 0; i < t.N; i++)
            for (int r = 0; r < t.Ranking[i].Length; r++)
            {
                labels[i * t.K + r] = t.Ranking[i][r];
                scores[i * t.K + r] = t.K - r;
            }
        var report = XcMetrics.Evaluate(truth, new TopKPredictions(t.N, t.K, labels, scores), t.K, t.W);
        Assert.True(t.Y.Any(row => row.All(v => v == 0)), "the case should include points without labels");
        for (int k = 1; k <= t.K; k++)
        {
            Assert.Equal(P(t, k), report.Precision[k - 1], 12);
            Assert.Equal(Ndcg(t, k), report.Ndcg[k - 1], 12);
            Assert.Equal(Recall(t, k), report.Recall[k - 1], 12);
            Assert.Equal(Psp(t, k), report.PropensityPrecision![k - 1], 12);
            Assert.Equal(PsNdcg(t, k), report.PropensityNdcg![k - 1], 12);
        }
    }

    [Fact]
    public void PropensitiesMatchTheFormula()
    {
        var rng = new Random(11);
        var sets = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, rng.Next(0, 4)).Select(_ => rng.Next(30)).Distinct().ToArray()).ToArray();
        var labels = LabelMatrix.FromLabelSets(sets, 30);
        foreach (var (a, b) in new[] { Propensity.Default, Propensity.Amazon, Propensity.Wikipedia })
        {
            var w = Propensity.Inverse(labels, a, b);
            for (int l = 0; l < 30; l++)
            {
                int nl = sets.Count(s => s.Contains(l));
                double expected = 1 + (Math.Log(300) - 1) * Math.Pow(b + 1, a) * Math.Pow(nl + b, -a);
                Assert.Equal(expected, w[l], 12);
            }
        }
    }
}
