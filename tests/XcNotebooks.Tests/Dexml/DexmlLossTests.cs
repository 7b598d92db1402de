using XcNotebooks.Methods.Dexml;
using XcNotebooks.Tests.Compute;
using Xunit;

namespace XcNotebooks.Tests.DexmlTests;

/// <summary>The three DEXML losses against hand-computed values, the original code's outputs, and finite differences.</summary>
public sealed class DexmlLossTests
{
    private static double Loss(DexmlLoss loss, float[] s, int rows, int cols, int[][] positives, int[][] targets, float[] gradient, SoftTopkOptions? topk = null) =>
        DexmlLosses.Evaluate(loss, s, rows, cols, positives, targets, gradient, topk);

    [Fact]
    public void DecoupledSoftmaxEqualsSoftmaxWithOnePositive()
    {
        var s = Numbers.Uniform(3, 4 * 9, -3f, 3f);
        int[][] positives = [[0], [4], [8], [2]];
        var g1 = new float[s.Length];
        var g2 = new float[s.Length];
        double softmax = Loss(DexmlLoss.Softmax, s, 4, 9, positives, positives, g1);
        double decoupled = Loss(DexmlLoss.DecoupledSoftmax, s, 4, 9, positives, positives, g2);
        Assert.Equal(softmax, decoupled, 12);
        Numbers.Close(g1, g2, 1e-7, "gradient");
    }

    [Fact]
    public void WithTwoPositivesDecoupledSoftmaxLeavesTheOtherPositiveOutOfEachDenominator()
    {
        // Scores (2, 1, 0), positives {0, 1}, both targets.
        // Softmax: 2·log(e² + e + 1) − 2 − 1 = 1.815212; DecoupledSoftmax: ½[log(e² + 1) − 2 + log(e + 1) − 1] = 0.220095.
        float[] s = [2f, 1f, 0f];
        int[][] positives = [[0, 1]];
        var g = new float[3];
        double softmax = Loss(DexmlLoss.Softmax, s, 1, 3, positives, positives, g);
        Assert.Equal(1.8152119288887603, softmax, 9);
        double decoupled = Loss(DexmlLoss.DecoupledSoftmax, s, 1, 3, positives, positives, g);
        Assert.Equal(0.22009484928059775, decoupled, 9);
        Assert.Equal(1.5951170796081624, softmax - decoupled, 9);
        // ∂/∂s₀ = −½·1/(e² + 1), ∂/∂s₁ = −½·1/(e + 1), ∂/∂s₂ = ½[1/(e² + 1) + 1/(e + 1)].
        Numbers.Close([-0.05960146101105879, -0.13447071068499755, 0.19407217169605634], g, 1e-6, "decoupled gradient");
        // A positive that is not a target leaves the denominator too, and gets no gradient.
        double one = Loss(DexmlLoss.DecoupledSoftmax, s, 1, 3, positives, [[1]], g);
        Assert.Equal(Math.Log(Math.E + 1) - 1, one, 9);
        Assert.Equal(0f, g[0]);
    }

    /// <summary>encoders-detailed.md §5.3: SimLoss with loss_sample = False on a 3 x 6 score matrix.</summary>
    [Theory]
    [InlineData(DexmlLoss.DecoupledSoftmax, 0.678025, new[] { -0.061907, -0.102720, 0.062161, 0.013870, 0.037702, 0.050893, 0.049675, -0.077901, -0.082060, 0.044948, 0.024668, 0.040670, 0.051428, 0.046534, 0.015490, -0.162586, 0.028224, 0.020909 })]
    [InlineData(DexmlLoss.Softmax, 1.720096, new[] { 0.007008, -0.208129, 0.075941, 0.016945, 0.046060, 0.062175, 0.065298, -0.093735, -0.116536, 0.059084, 0.032426, 0.053462, 0.051428, 0.046534, 0.015490, -0.162586, 0.028224, 0.020909 })]
    [InlineData(DexmlLoss.SoftTopk, 0.108526, new[] { -0.010242, -0.064490, 0.024882, 0.004938, 0.020515, 0.024397, 0.017380, -0.026487, -0.031824, 0.016567, 0.008858, 0.015506, 0.006297, 0.006657, 0.003605, -0.028324, 0.006567, 0.005199 })]
    public void MatchesTheOriginalCode(DexmlLoss loss, double expectedLoss, double[] expectedGradient)
    {
        var s = ReferenceScores;
        var g = new float[s.Length];
        double value = Loss(loss, s, 3, 6, ReferencePositives, ReferencePositives, g, new SoftTopkOptions(K: 3));
        Assert.Equal(expectedLoss, value, 5);
        Numbers.Close(expectedGradient, g, 2e-6, $"{loss} gradient");
    }

    [Fact]
    public void SoftTopkMembershipsSumToKAndMatchTheOriginalThresholds()
    {
        var options = new SoftTopkOptions(K: 3);
        double[] thresholds = [-0.449434, -0.394291, -0.663947];
        for (int i = 0; i < 3; i++)
        {
            var (m, t) = DexmlLosses.SoftTopkMemberships(ReferenceScores.AsSpan(i * 6, 6), options);
            Assert.Equal(thresholds[i], t, 5);
            Assert.Equal(3, m.Sum(), 6);
        }
        Numbers.Close([0.956939, 0.750472, 0.525261, 0.052210, 0.289283, 0.425834],
            DexmlLosses.SoftTopkMemberships(ReferenceScores.AsSpan(0, 6), options).Memberships.Select(v => (float)v).ToArray(), 2e-6, "row 0");
        foreach (int k in new[] { 1, 5, 17 })
        {
            var (wide, _) = DexmlLosses.SoftTopkMemberships(Numbers.Uniform(k, 60, -4f, 4f), new SoftTopkOptions(K: k));
            Assert.Equal(k, wide.Sum(), 6);
            Assert.All(wide, v => Assert.InRange(v, 0, 1));
        }
    }

    [Theory]
    [InlineData(DexmlLoss.Softmax)]
    [InlineData(DexmlLoss.DecoupledSoftmax)]
    [InlineData(DexmlLoss.SoftTopk)]
    public void GradientsMatchFiniteDifferences(DexmlLoss loss)
    {
        const int rows = 3, cols = 8;
        var s = Numbers.Uniform(11, rows * cols, -2f, 2f);
        int[][] positives = [[0, 3, 5], [1], [2, 6]];
        int[][] targets = [[3, 5], [1], [6]]; // sampled targets: positive 0 of row 0 and 2 of row 2 are masked
        var options = new SoftTopkOptions(K: 2);
        var g = new float[s.Length];
        Loss(loss, s, rows, cols, positives, targets, g, options);
        var scratch = new float[s.Length];
        const float h = 1e-3f;
        var numeric = new double[s.Length];
        for (int j = 0; j < s.Length; j++)
        {
            var plus = (float[])s.Clone();
            var minus = (float[])s.Clone();
            plus[j] += h;
            minus[j] -= h;
            numeric[j] = (Loss(loss, plus, rows, cols, positives, targets, scratch, options) - Loss(loss, minus, rows, cols, positives, targets, scratch, options))
                / (plus[j] - minus[j]);
        }
        Numbers.Close(numeric, g, 1e-4, $"{loss} gradient");
        Assert.Contains(g, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var s = new float[6];
        var g = new float[6];
        Assert.Throws<ArgumentException>(() => Loss(DexmlLoss.Softmax, s, 2, 3, [[0], [1]], [[0], [2]], g)); // target not a positive
        Assert.Throws<ArgumentException>(() => Loss(DexmlLoss.Softmax, s, 2, 3, [[0], [3]], [[0], [3]], g)); // column outside
        Assert.Throws<ArgumentException>(() => Loss(DexmlLoss.Softmax, s, 2, 3, [[0]], [[0]], g)); // lists for one row
        Assert.Throws<ArgumentException>(() => Loss(DexmlLoss.Softmax, s, 2, 2, [[0], [1]], [[0], [1]], g)); // shape
        Assert.Throws<ArgumentException>(() => Loss(DexmlLoss.SoftTopk, s, 2, 3, [[0], [1]], [[0], [1]], g, new SoftTopkOptions(K: 0)));
    }

    private static readonly float[] ReferenceScores =
    [
        2.0f, 1.0f, 0.5f, -1.0f, 0.0f, 0.3f,
        0.2f, 1.5f, 1.4f, 0.1f, -0.5f, 0.0f,
        1.0f, 0.9f, -0.2f, 2.2f, 0.4f, 0.1f,
    ];

    private static readonly int[][] ReferencePositives = [[0, 1], [1, 2], [3]];
}
