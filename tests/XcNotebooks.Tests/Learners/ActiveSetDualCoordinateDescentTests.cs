using XcNotebooks.Core;
using XcNotebooks.Learners;
using Xunit;

namespace XcNotebooks.Tests.Learners;

/// <summary>
/// The active-set dual coordinate descent (PPDSparse-style) against the full dual coordinate descent and a brute-force
/// check of the optimality conditions on every point.
/// </summary>
public class DualCoordinateDescentActiveSetTests
{
    // A sparse problem shaped like one-vs-rest on text: n unit rows of 2-6 features drawn with Zipf-like frequencies
    // (a few features in most rows, most in few), then a bias column of 1; `positives` points are +1, the rest -1.
    private static (CsrMatrix X, sbyte[] Y) SparseProblem(int n, int features, int positives, int seed)
    {
        var random = new Random(seed);
        var rows = new List<(int, float)[]>();
        for (int i = 0; i < n; i++)
        {
            var row = new SortedDictionary<int, float>();
            int length = random.Next(2, 7);
            while (row.Count < length)
                row[(int)Math.Min(features - 1, Math.Floor(features * Math.Pow(random.NextDouble(), 3)))] = (float)(0.2 + random.NextDouble());
            float norm = MathF.Sqrt(row.Values.Sum(v => v * v));
            rows.Add([.. row.Select(e => (e.Key, e.Value / norm)), (features, 1f)]);
        }
        var y = Enumerable.Repeat((sbyte)-1, n).ToArray();
        foreach (int i in Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(positives)) y[i] = 1;
        return (CsrMatrix.FromRows(features + 1, rows), y);
    }

    // The gradient y_i w.x_i - 1 + D alpha_i of every point, with w = sum alpha_i y_i x_i recomputed here.
    private static double[] Gradients(CsrMatrix x, sbyte[] y, IReadOnlyList<double> alpha, double diagonal)
    {
        var w = new double[x.Cols];
        for (int i = 0; i < x.Rows; i++)
            foreach (var (j, v) in x.RowEntries(i)) w[j] += alpha[i] * y[i] * v;
        return [.. Enumerable.Range(0, x.Rows).Select(i => y[i] * x.RowEntries(i).Sum(e => w[e.Column] * e.Value) - 1 + diagonal * alpha[i])];
    }

    [Theory]
    [InlineData(BinaryLearnerKind.SvmL2LossDual, 1.0, 0, 1)]
    [InlineData(BinaryLearnerKind.SvmL2LossDual, 1.0, 5, 2)]
    [InlineData(BinaryLearnerKind.SvmL2LossDual, 10.0, 12, 3)]
    [InlineData(BinaryLearnerKind.SvmL1LossDual, 1.0, 5, 4)]
    [InlineData(BinaryLearnerKind.SvmL1LossDual, 0.1, 30, 5)]
    public void TightToleranceReachesTheFullDualOptimumAndMeetsKktOnEveryPoint(BinaryLearnerKind kind, double cost, int positives, int seed)
    {
        var (x, y) = SparseProblem(600, 300, positives, seed);
        var options = new BinaryLearnerOptions { Kind = kind, Cost = cost, Tolerance = 1e-9, MaxIterations = 100_000 };
        var full = DualCoordinateDescent.Solve(x, y, options, seed: 7);
        var active = DualCoordinateDescent.Solve(x, y, options with { ActiveSet = true }, seed: 7);
        double fullObjective = DualCoordinateDescent.DualObjective(x, y, full.Alpha, options);
        double activeObjective = DualCoordinateDescent.DualObjective(x, y, active.Alpha, options);
        Assert.Equal(fullObjective, activeObjective, 1e-7 * Math.Max(1, Math.Abs(fullObjective)));
        for (int j = 0; j < x.Cols; j++) Assert.Equal(full.Weights[j], active.Weights[j], 1e-5);

        bool l2 = kind == BinaryLearnerKind.SvmL2LossDual;
        double upper = l2 ? double.PositiveInfinity : cost;
        var g = Gradients(x, y, active.Alpha, l2 ? 0.5 / cost : 0);
        for (int i = 0; i < x.Rows; i++)
        {
            double a = active.Alpha[i];
            Assert.InRange(a, 0, upper);
            if (a <= 0) Assert.True(g[i] >= -1e-6, $"alpha_{i} = 0 but gradient {g[i]}");
            else if (a >= upper) Assert.True(g[i] <= 1e-6, $"alpha_{i} = C but gradient {g[i]}");
            else Assert.True(Math.Abs(g[i]) <= 1e-6, $"alpha_{i} = {a} inside the box but gradient {g[i]}");
        }
    }

    [Theory]
    [InlineData(0, 11)]
    [InlineData(3, 12)]
    [InlineData(8, 13)]
    [InlineData(40, 14)]
    public void DefaultToleranceStopsWithFewPointsAndNearTheFullDualObjective(int positives, int seed)
    {
        // 3,000 points, a handful of positives: LIBLINEAR's tolerance (0.1) on the projected gradients.
        var (x, y) = SparseProblem(3000, 2000, positives, seed);
        var options = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual };
        var full = DualCoordinateDescent.Solve(x, y, options, seed: 3);
        var active = DualCoordinateDescent.Solve(x, y, options with { ActiveSet = true }, seed: 3);

        // Every point outside the final set (alpha = 0) meets the rule the scan applies: gradient >= -eps/2.
        var g = Gradients(x, y, active.Alpha, 0.5);
        for (int i = 0; i < x.Rows; i++)
            if (active.Alpha[i] == 0) Assert.True(g[i] >= -0.05 - 1e-9, $"point {i} (alpha 0) violates: gradient {g[i]}");
        int used = active.Alpha.Count(a => a > 0);
        Assert.True(used <= x.Rows / 4, $"{used} non-zero alphas of {x.Rows}");

        // Both stop at the same tolerance: the objectives agree to a small share of their size, and so do the scores.
        double fullObjective = DualCoordinateDescent.DualObjective(x, y, full.Alpha, options);
        double activeObjective = DualCoordinateDescent.DualObjective(x, y, active.Alpha, options);
        Assert.True(Math.Abs(fullObjective - activeObjective) <= 0.02 * Math.Abs(fullObjective) + 0.02,
            $"objectives {activeObjective} (active set) and {fullObjective} (full)");
        var exact = DualCoordinateDescent.Solve(x, y, options with { Tolerance = 1e-9, MaxIterations = 100_000 }, seed: 3);
        double exactObjective = DualCoordinateDescent.DualObjective(x, y, exact.Alpha, options);
        Assert.True(activeObjective - exactObjective <= 0.01 * Math.Abs(exactObjective) + 0.01,
            $"active-set objective {activeObjective}, optimum {exactObjective}");
    }

    [Fact]
    public void SameSeedSameSolutionAndOneVsRestColumnsAreLoneSolutions()
    {
        var data = SyntheticData.MultiClass(37, 120, 400, 0, 200, seed: 13);
        var options = new OneVsRestOptions { Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual, ActiveSet = true }, Bias = 1, Seed = 5 };
        var model = OneVsRestLinear.Train(data.Train, options);
        Assert.Equal(model.Weights.Data, OneVsRestLinear.Train(data.Train, options).Weights.Data);
        var x = OneVsRestLinear.TrainingFeatures(data.Train, options);
        for (int l = 0; l < 37; l += 6)
        {
            var y = Enumerable.Range(0, data.Train.NumPoints).Select(i => (sbyte)(data.Train.Labels.Has(i, l) ? 1 : -1)).ToArray();
            var lone = DualCoordinateDescent.Solve(x, y, options.Learner, Seeds.Derive(5, l));
            for (int j = 0; j < 120; j++) Assert.Equal((float)lone.Weights[j], model.Weights[j, l]);
            Assert.Equal((float)lone.Weights[120], model.BiasWeights[l]);
        }
        var full = OneVsRestLinear.Train(data.Train, options with { Learner = options.Learner with { ActiveSet = false } });
        Assert.True(Math.Abs(model.Accuracy(data.Test) - full.Accuracy(data.Test)) <= 2,
            $"accuracy {model.Accuracy(data.Test):F1}% (active set) vs {full.Accuracy(data.Test):F1}% (full dual)");
    }

    [Fact]
    public void ActiveSetIsAnOptionOfTheSvmsOnly() =>
        Assert.Throws<ArgumentException>(() => new BinaryLearnerOptions { Kind = BinaryLearnerKind.LogisticDual, ActiveSet = true }.Validate());
}
